import { statfs } from 'node:fs/promises';
import { AppError } from '../../src/domain/errors.ts';
import type { BuildContext } from './build-context.ts';

const GIB = 1024 ** 3;

/** Free bytes on the filesystem holding `path`, for the unprivileged-user view (bavail). */
export async function freeBytes(path: string): Promise<number> {
  const fs = await statfs(path);
  return fs.bavail * fs.bsize;
}

/** Refuse early, before any pull: podman must answer and the disk must have room for image + store + ISO. */
export async function preflight(ctx: BuildContext): Promise<{ podmanVersion: string; freeGiB: number }> {
  const podmanVersion = await ctx.podman.version(ctx.signal);
  return { podmanVersion, freeGiB: await checkFreeDisk(ctx) };
}

/** The free-space rule on its own: checked again after the pulls, which may have taken much of it. */
export async function checkFreeDisk(ctx: BuildContext, when = ''): Promise<number> {
  const { workDir, containerStorage, minFreeDiskGiB } = ctx.settings.worker;
  let freeGiB = Number.POSITIVE_INFINITY;
  for (const path of new Set([workDir, containerStorage])) {
    const free = (await freeBytes(path).catch(() => Number.POSITIVE_INFINITY)) / GIB;
    freeGiB = Math.min(freeGiB, free);
    if (free < minFreeDiskGiB) {
      throw new AppError(
        'DISK_FULL',
        `build host ${ctx.settings.workerName} has ${free.toFixed(1)} GiB free on ${path}${when}, below the ${minFreeDiskGiB} GiB minimum`,
      );
    }
  }
  return freeGiB;
}
