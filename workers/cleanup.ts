import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isBuildId } from '../src/domain/build-id.ts';
import type { Logger } from '../src/logger.ts';

/**
 * Start-up sweep of `worker.workDir`: every attempt removes its own directory, but a crash (kill -9, power loss)
 * leaves `<workDir>/<build-id>/` behind, each possibly holding a multi-GiB ISO. Only build-id directories are
 * removed; anything else there (the image-use record) stays. Like the container sweep, this assumes one worker
 * process per workDir, which the defaults give (one worker per host).
 */
export async function removeLeftoverWorkDirs(workDir: string, logger: Logger): Promise<string[]> {
  const entries = await readdir(workDir, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !isBuildId(entry.name)) continue;
    try {
      await rm(join(workDir, entry.name), { recursive: true, force: true });
      removed.push(entry.name);
    } catch (error) {
      logger.warn({ dir: join(workDir, entry.name), error: String(error) }, 'could not remove a leftover');
    }
  }
  if (removed.length) logger.info({ builds: removed }, 'removed work directories left by an earlier run');
  return removed;
}
