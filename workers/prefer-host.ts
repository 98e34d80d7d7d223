import type { Job, Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/logger.ts';
import { cancelRequestedBy } from '../src/queue/cancel-requests.ts';
import { readPreference } from '../src/queue/host-preference.ts';
import { readWorkerInfo } from '../src/queue/worker-registry.ts';
import { YieldToOtherHost } from './build-consumers.ts';

/**
 * How long a build handed back to its preferred host stays delayed. Short: the preferred host is idle (its heartbeat
 * says it has a free slot), so it takes the build as soon as it is due again, and a build whose preferred host
 * turns out busy loses little each time until its window ends.
 */
export const HAND_BACK_MS = 300;
/**
 * How long the host that handed a build back takes nothing more from that queue: past HAND_BACK_MS, time for the
 * preferred host to take the build when it comes due.
 */
export const YIELD_MS = 1000;

export interface HostPreferenceDeps {
  redis: Redis;
  /** This host's WORKER_NAME. */
  host: string;
  logger: Logger;
  now?: () => number;
}

/**
 * Why this host should not run `job` now, or undefined when it should: the build prefers another host that is
 * live, neither draining nor paused, and has a free slot, and its window is still open. Any doubt (Redis unreadable, a cancel
 * remembered for the build) means run it: a preference must never keep a build from running or from ending.
 */
export async function yieldTo(
  job: Job,
  deps: HostPreferenceDeps,
): Promise<{ host: string; until: number } | undefined> {
  const buildId = job.id;
  if (!buildId) return undefined;
  try {
    const now = (deps.now ?? Date.now)();
    const preference = await readPreference(deps.redis, buildId, now);
    if (!preference || preference.host === deps.host) return undefined;
    const preferred = await readWorkerInfo(deps.redis, preference.host);
    if (!preferred || preferred.draining || preferred.running.length >= preferred.concurrency)
      return undefined;
    if (await cancelRequestedBy(deps.redis, buildId)) return undefined;
    return preference;
  } catch {
    return undefined;
  }
}

/**
 * Wraps the build processor: a build that prefers another host (src/queue/host-preference.ts) goes back to its
 * queue for HAND_BACK_MS, or until its window ends if sooner, without using an attempt, showing progress or
 * starting a step, and this host's worker of the queue takes nothing for YIELD_MS (BuildConsumers), so the
 * preferred host is the one that takes it. It stays in its queue throughout, so lookups, cancels and Slack messages
 * see a queued build.
 */
export function withHostPreference<T extends Processor>(processor: T, deps: HostPreferenceDeps): T {
  return (async (job, token, signal) => {
    const preference = token && !signal?.aborted ? await yieldTo(job, deps) : undefined;
    if (!preference || !token) return processor(job, token, signal);
    const now = (deps.now ?? Date.now)();
    const at = Math.min(now + HAND_BACK_MS, preference.until);
    deps.logger.debug(
      { buildId: job.id, preferred: preference.host, untilMs: preference.until - now },
      'handing the build back to the host that holds its image',
    );
    await job.moveToDelayed(at, token);
    throw new YieldToOtherHost(YIELD_MS);
  }) as T;
}
