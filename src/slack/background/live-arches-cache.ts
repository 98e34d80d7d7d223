import type { Redis } from 'ioredis';
import type { Arch } from '../../domain/build-request.ts';
import { liveArchesWithin } from '../../queue/worker-registry.ts';

/** Live arches, or undefined when Redis did not answer within the caller's time. */
export type LiveArchesReader = (timeoutMs: number) => Promise<Arch[] | undefined>;

/**
 * liveArchesWithin shared by concurrent callers and reused for `ttlMs` (issue 6): a burst of `/bootc-iso build`
 * commands or submissions otherwise reads and parses every worker heartbeat once per request. Heartbeats are
 * written every few seconds, so half a second of reuse does not change what anyone sees.
 */
export function createLiveArchesCache(
  redis: Redis,
  options: { ttlMs?: number; now?: () => number } = {},
): LiveArchesReader {
  const ttlMs = options.ttlMs ?? 500;
  const now = options.now ?? Date.now;
  let last: { at: number; value: Arch[] } | undefined;
  let inFlight: Promise<Arch[] | undefined> | undefined;
  return async (timeoutMs) => {
    if (last && now() - last.at < ttlMs) return last.value;
    if (!inFlight) {
      const started = now();
      // Read with the longest timeout any caller accepts; each caller stops waiting at its own.
      inFlight = liveArchesWithin(redis, Math.max(timeoutMs, 2000)).then((value) => {
        if (value) last = { at: started, value };
        return value;
      });
      void inFlight.finally(() => {
        inFlight = undefined;
      });
    }
    return raceTimeout(inFlight, timeoutMs);
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
