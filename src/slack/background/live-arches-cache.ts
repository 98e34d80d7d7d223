import type { Redis } from 'ioredis';
import type { Arch } from '../../domain/build-request.ts';
import { archesServing, listLiveWorkers, type WorkerInfo } from '../../queue/worker-registry.ts';

/**
 * Live arches (those with a host offering every one of `requires`, when given), or undefined when Redis did not
 * answer within the caller's time.
 */
export type LiveArchesReader = (
  timeoutMs: number,
  requires?: readonly string[],
) => Promise<Arch[] | undefined>;

/**
 * The live workers shared by concurrent callers and reused for `ttlMs`: a burst of `/bootc-iso build`
 * commands or submissions otherwise reads and parses every worker heartbeat once per request. Heartbeats are
 * written every few seconds, so half a second of reuse does not change what anyone sees.
 */
export function createLiveArchesCache(
  redis: Redis,
  options: { ttlMs?: number; now?: () => number } = {},
): LiveArchesReader {
  const ttlMs = options.ttlMs ?? 500;
  const now = options.now ?? Date.now;
  let last: { at: number; value: WorkerInfo[] } | undefined;
  let inFlight: Promise<WorkerInfo[] | undefined> | undefined;
  return async (timeoutMs, requires = []) => {
    if (last && now() - last.at < ttlMs) return archesServing(last.value, requires);
    if (!inFlight) {
      const started = now();
      // Read with the longest timeout any caller accepts; each caller stops waiting at its own.
      inFlight = raceTimeout(
        listLiveWorkers(redis).catch(() => undefined),
        Math.max(timeoutMs, 2000),
      ).then((value) => {
        if (value) last = { at: started, value };
        return value;
      });
      void inFlight.finally(() => {
        inFlight = undefined;
      });
    }
    const workers = await raceTimeout(inFlight, timeoutMs);
    return workers && archesServing(workers, requires);
  };
}

async function raceTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
