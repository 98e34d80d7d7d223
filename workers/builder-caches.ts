import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../src/config/load-config.ts';
import type { Logger } from '../src/logger.ts';

/**
 * The builder's caches, on by default under the work directory: osbuild's store (/store) and the RPM metadata
 * (/rpmmd) let a repeated build of the same source skip most of its downloads and stages. osbuild bounds its store
 * at about 20 GiB by itself but never forgets a source nobody builds any more, so between builds a cache is emptied
 * when it has grown past STORE_MAX_BYTES or nothing in it changed for MAX_IDLE_DAYS.
 */
export const STORE_MAX_BYTES = 25 * 1024 ** 3;
export const MAX_IDLE_DAYS = 14;
export const CACHE_PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

type WorkerCaches = Pick<Config['worker'], 'workDir' | 'storeCache' | 'rpmmdCache'>;

/** The config with the caches a build host uses: the configured directories, else `<workDir>/store` and `/rpmmd`. */
export function withBuilderCaches<C extends { worker: WorkerCaches }>(config: C): C {
  const { workDir, storeCache, rpmmdCache } = config.worker;
  return {
    ...config,
    worker: {
      ...config.worker,
      storeCache: storeCache ?? join(workDir, 'store'),
      rpmmdCache: rpmmdCache ?? join(workDir, 'rpmmd'),
    },
  };
}

/** The cache directories of a config passed through withBuilderCaches. */
export function builderCacheDirs(worker: WorkerCaches): string[] {
  return [worker.storeCache, worker.rpmmdCache].filter((d): d is string => d !== undefined);
}

/** podman -v refuses a host directory that does not exist: create them before the first build. */
export async function createBuilderCaches(worker: WorkerCaches): Promise<void> {
  for (const dir of builderCacheDirs(worker)) await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Total size and newest modification of everything under `dir` (symbolic links are not followed). */
export async function cacheUsage(dir: string): Promise<{ bytes: number; newestMs: number }> {
  let bytes = 0;
  let newestMs = 0;
  const walk = async (path: string) => {
    const stat = await lstat(path).catch(() => undefined);
    if (!stat) return;
    newestMs = Math.max(newestMs, stat.mtimeMs);
    if (!stat.isDirectory()) {
      bytes += stat.size;
      return;
    }
    for (const name of await readdir(path).catch(() => [])) await walk(join(path, name));
  };
  await walk(dir);
  return { bytes, newestMs };
}

export interface CachePrunePolicy {
  maxBytes: number;
  maxIdleDays: number;
}

/** Empties (keeps) each cache directory over the size bound or idle too long; returns the ones it emptied. */
export async function pruneBuilderCaches(
  dirs: string[],
  policy: CachePrunePolicy = { maxBytes: STORE_MAX_BYTES, maxIdleDays: MAX_IDLE_DAYS },
  now = Date.now(),
): Promise<{ dir: string; bytes: number; why: string }[]> {
  const pruned: { dir: string; bytes: number; why: string }[] = [];
  for (const dir of dirs) {
    const { bytes, newestMs } = await cacheUsage(dir);
    if (bytes === 0) continue;
    const why =
      bytes > policy.maxBytes
        ? `${bytes} bytes, over ${policy.maxBytes}`
        : now - newestMs > policy.maxIdleDays * DAY_MS
          ? `unchanged for over ${policy.maxIdleDays} days`
          : undefined;
    if (!why) continue;
    for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
    pruned.push({ dir, bytes, why });
  }
  return pruned;
}

/**
 * Prunes the caches hourly, only while no build runs on this host: a builder writing into the store while it is
 * emptied would fail in ways that look like a broken image.
 */
export function startBuilderCachePrune(dirs: string[], idle: () => boolean, logger: Logger): () => void {
  const pass = async () => {
    if (!idle()) return;
    for (const p of await pruneBuilderCaches(dirs)) logger.info(p, 'builder cache emptied');
  };
  const timer = setInterval(() => {
    pass().catch((error: unknown) => logger.warn({ error: String(error) }, 'builder cache prune failed'));
  }, CACHE_PRUNE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
