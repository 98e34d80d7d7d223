import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../src/domain/errors.ts';
import type { Logger } from '../src/logger.ts';
import { cancelMarkKey } from '../src/queue/cancel-requests.ts';

/** The abort reason of an attempt whose job lock is no longer this worker's. */
export const LOCK_LOST_REASON = 'the build lock was lost: another host owns this build now';

/** How often a running build confirms its lock and reads the remembered cancel (one Redis command). */
export const FENCE_POLL_MS = 2_000;

/**
 * Confirms the job lock and reads the remembered cancel in one round trip: a running build learns both that it still
 * owns the build and that someone cancelled it while this worker's subscriber was away.
 * Returns [1 if the lock is ours else 0, who cancelled or false].
 */
const POLL = `
local ours = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then ours = 1 end
return {ours, redis.call('GET', KEYS[2])}`;

/**
 * BullMQ's own progress write, but only while the lock is this attempt's: job.updateProgress checks no token, so a
 * worker that woke after its build was taken over would otherwise write over the finisher's progress.
 */
const FENCED_PROGRESS = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local maxEvents = tonumber(redis.call('HGET', KEYS[4], 'opts.maxLenEvents')) or 10000
redis.call('HSET', KEYS[2], 'progress', ARGV[3])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxEvents, '*', 'event', 'progress', 'jobId', ARGV[2], 'data', ARGV[3])
return 1`;

export interface FenceTarget {
  /** BullMQ key prefix and queue name: the job's keys are `<prefix>:<queue>:<jobId>`. */
  prefix: string;
  queue: string;
  jobId: string;
  /** The job token BullMQ handed this attempt; the lock key holds it while the attempt owns the job. */
  token: string;
  /** Lock duration: an attempt that cannot confirm its lock for half of it stops before anyone can take over. */
  lockMs: number;
}

export interface Fence {
  /** A short, non-secret tag of the attempt's token, for object keys and claim values. */
  readonly tag: string;
  /** Aborted once the lock is known lost (or unconfirmable for half its duration). */
  readonly signal: AbortSignal;
  lost(): boolean;
  /** Marks the lock lost (BullMQ's lockRenewalFailed, a refused write). */
  markLost(why: string): void;
  /** Checks in Redis that the lock is still this attempt's; throws (and marks lost) when not. */
  check(): Promise<void>;
  /** Writes progress only while the lock is ours; false when refused. */
  writeProgress(progress: object): Promise<boolean>;
  /** Starts the poll that confirms the lock and hears remembered cancels; returns its stop. */
  startPoll(onCancel: (by: string) => void): () => void;
}

/** The tag of a token: object keys and claim values carry it; the token itself stays a secret of the lock holder. */
export function attemptTag(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

export function createFence(redis: Redis, target: FenceTarget, logger: Logger): Fence {
  const jobKey = `${target.prefix}:${target.queue}:${target.jobId}`;
  const lockKey = `${jobKey}:lock`;
  const eventsKey = `${target.prefix}:${target.queue}:events`;
  const metaKey = `${target.prefix}:${target.queue}:meta`;
  const cancelKey = cancelMarkKey(target.jobId);
  const controller = new AbortController();
  let confirmedAt = Date.now();

  const markLost = (why: string) => {
    if (controller.signal.aborted) return;
    logger.warn({ why }, 'build lock lost: stopping this attempt, publishing nothing');
    controller.abort(LOCK_LOST_REASON);
  };

  return {
    tag: attemptTag(target.token),
    signal: controller.signal,
    lost: () => controller.signal.aborted,
    markLost,
    async check() {
      if (!controller.signal.aborted) {
        const [ours] = (await redis.eval(POLL, 2, lockKey, cancelKey, target.token)) as [number, unknown];
        if (ours === 1) {
          confirmedAt = Date.now();
          return;
        }
        markLost('the lock key no longer holds this attempt’s token');
      }
      throw new AppError('INTERNAL', LOCK_LOST_REASON);
    },
    async writeProgress(progress) {
      if (controller.signal.aborted) return false;
      const written = await redis.eval(
        FENCED_PROGRESS,
        4,
        lockKey,
        jobKey,
        eventsKey,
        metaKey,
        target.token,
        target.jobId,
        JSON.stringify(progress),
      );
      if (written !== 1) markLost('a progress write was refused');
      return written === 1;
    },
    startPoll(onCancel) {
      let busy = false;
      const timer = setInterval(() => {
        // A partition leaves commands hanging, not failing: the age of the last confirmation decides, not an error.
        if (Date.now() - confirmedAt > target.lockMs / 2)
          markLost('no confirmation of the lock for half its duration');
        if (busy || controller.signal.aborted) return;
        busy = true;
        (redis.eval(POLL, 2, lockKey, cancelKey, target.token) as Promise<[number, string | null]>)
          .then(([ours, by]) => {
            if (ours !== 1) return markLost('the lock key no longer holds this attempt’s token');
            confirmedAt = Date.now();
            if (by) onCancel(by);
          })
          .catch((error: unknown) => logger.debug({ error: String(error) }, 'lock poll failed'))
          .finally(() => {
            busy = false;
          });
      }, FENCE_POLL_MS);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
