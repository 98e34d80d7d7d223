import { statfs } from 'node:fs/promises';
import { AppError } from '../../../src/domain/errors.ts';
import type { BuildContext } from '../build-context.ts';
import type { Step } from '../step.ts';

const GIB = 1024 ** 3;

export type PreflightContext = Pick<BuildContext, 'podman' | 'signal'> & {
  settings: {
    workerName: string;
    worker: { workDir: string; containerStorage: string; minFreeDiskGiB: number };
  };
  state: Pick<BuildContext['state'], 'podmanVersion' | 'log'>;
};

/** Free bytes on the filesystem holding `path`, for the unprivileged-user view (bavail). */
export async function freeBytes(path: string): Promise<number> {
  const fs = await statfs(path);
  return fs.bavail * fs.bsize;
}

/**
 * Refuse early, before any pull: podman must answer and the disk must have room for image + store + ISO. A disk
 * whose free space cannot be read is refused too: counting it as unlimited would start a build that fills it.
 */
export async function checkBuildHost(
  ctx: PreflightContext,
  readFree: (path: string) => Promise<number> = freeBytes,
): Promise<{ podmanVersion: string; freeGiB: number }> {
  const podmanVersion = await ctx.podman.version(ctx.signal);
  const { workDir, containerStorage, minFreeDiskGiB } = ctx.settings.worker;
  const host = ctx.settings.workerName;
  let freeGiB = Number.POSITIVE_INFINITY;
  for (const path of new Set([workDir, containerStorage])) {
    let free: number;
    try {
      free = (await readFree(path)) / GIB;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new AppError(
        'DISK_UNREADABLE',
        `build host ${host} cannot read the free space on ${path} (${why}); check that the directory exists and is readable`,
      );
    }
    freeGiB = Math.min(freeGiB, free);
    if (free < minFreeDiskGiB) {
      throw new AppError(
        'DISK_FULL',
        `build host ${host} has ${free.toFixed(1)} GiB free on ${path}, below the ${minFreeDiskGiB} GiB minimum`,
      );
    }
  }
  return { podmanVersion, freeGiB };
}

export const preflight: Step<PreflightContext> = {
  name: 'preflight',
  shows: 'preflight',
  describe: (ctx) => `checking build host ${ctx.settings.workerName}`,
  timeoutMs: () => 60_000,
  async run(ctx) {
    const found = await checkBuildHost(ctx);
    ctx.state.podmanVersion = found.podmanVersion;
    ctx.state.log?.line(
      `podman ${found.podmanVersion}; ${found.freeGiB.toFixed(1)} GiB free (minimum ${ctx.settings.worker.minFreeDiskGiB} GiB)`,
    );
  },
};
