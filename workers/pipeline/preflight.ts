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
  const { workDir, containerStorage, minFreeDiskGiB } = ctx.settings.worker;
  let freeGiB = Number.POSITIVE_INFINITY;
  for (const path of new Set([workDir, containerStorage])) {
    const free = (await freeBytes(path).catch(() => Number.POSITIVE_INFINITY)) / GIB;
    freeGiB = Math.min(freeGiB, free);
    if (free < minFreeDiskGiB) {
      throw new AppError(
        'DISK_FULL',
        `build host ${ctx.settings.workerName} has ${free.toFixed(1)} GiB free on ${path}, below the ${minFreeDiskGiB} GiB minimum`,
      );
    }
  }
  return { podmanVersion, freeGiB };
}
