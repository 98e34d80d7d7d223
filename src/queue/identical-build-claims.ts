import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_PREFIX } from './names.ts';

/**
 * Deduplication of concurrent identical builds: the first build of a key claims it in Redis; an
 * identical build that arrives meanwhile waits (delayed in the queue, holding no worker slot, costing no Redis
 * command and no event while it waits) and is woken by the holder's release, then answered from the first one's ISO. A claim expires unless its holder renews it, so a dead host never blocks the key for
 * longer than that; the same build taken over by another host reclaims its own key.
 *
 * A claim's value is `buildId:attemptTag`, so only the attempt that made it renews or releases it (compare-and-delete):
 * an attempt that lost its lock and woke up later cannot free a claim its build's next attempt now holds.
 */
export interface IdenticalBuildClaims {
  /** Claims `key` for `buildId`. Returns the id of another build holding it, or undefined when ours now. */
  claim(key: string, buildId: string, attemptTag?: string): Promise<string | undefined>;
  /** Keeps a held claim alive; false when it is no longer this attempt's. */
  renew(key: string, buildId: string, attemptTag?: string): Promise<boolean>;
  /** Deletes the claim only if this attempt still holds it, then wakes the builds that waited for it. */
  release(key: string, buildId: string, attemptTag?: string): Promise<void>;
  /**
   * Remembers that `buildId` waits for `key` (its next turn looks without pulling images again) and adds it to the
   * key's waiters, woken by the release. False when the claim was released meanwhile: nobody would wake it.
   */
  markWaiting(buildId: string, key: string): Promise<boolean>;
  /** The build still waited for, if `buildId` waits and the key is still held by someone else. */
  stillWaiting(buildId: string): Promise<string | undefined>;
  clearWaiting(buildId: string): Promise<void>;
}

const claimKey = (key: string) => `${QUEUE_PREFIX}:identical:${key}`;
const waitKey = (buildId: string) => `${QUEUE_PREFIX}:identical-wait:${buildId}`;
const waitersKey = (key: string) => `${QUEUE_PREFIX}:identical-waiters:${key}`;

/** The claim's value: the build and, when the attempt has one, its tag. */
export const claimValue = (buildId: string, attemptTag?: string) =>
  attemptTag ? `${buildId}:${attemptTag}` : buildId;
/** The build part of a claim's value. */
const holderBuild = (value: string) => value.split(':')[0] ?? value;

// Set-if-absent-or-our-build's in one step: a GET then SET from the client could let two builds both believe they
// hold it. Another attempt of the same build takes the claim over: it holds the job lock, so the old attempt lost it.
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] and string.match(holder, '^[^:]*') ~= ARGV[3] then return holder end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
// Release and hand over the waiters in one step: a waiter added after it finds the claim gone (MARK_WAITING).
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {} end
redis.call('DEL', KEYS[1])
local waiters = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
return waiters`;
const MARK_WAITING = `
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
local holder = redis.call('GET', KEYS[3])
if holder and string.match(holder, '^[^:]*') ~= ARGV[1] then return 1 end
return 0`;

/** A day is far longer than any wait; the marker only has to outlive the build that set it. */
const WAIT_MARKER_TTL_S = 24 * 3600;

/**
 * `wake` gets the builds that waited for a released claim (it moves them from delayed to waiting). A waiter whose
 * holder died is not woken: it looks again after its fallback delay, about when the dead claim has lapsed.
 */
export function createIdenticalBuildClaims(
  redis: Redis,
  claimTtlMs: number,
  wake?: (buildIds: string[]) => Promise<void>,
): IdenticalBuildClaims {
  return {
    async claim(key, buildId, attemptTag) {
      const value = claimValue(buildId, attemptTag);
      const holder = (await redis.eval(CLAIM, 1, claimKey(key), value, claimTtlMs, buildId)) as string | null;
      return holder ? holderBuild(holder) : undefined;
    },
    async renew(key, buildId, attemptTag) {
      return (await redis.eval(RENEW, 1, claimKey(key), claimValue(buildId, attemptTag), claimTtlMs)) === 1;
    },
    async release(key, buildId, attemptTag) {
      const waiters = (await redis.eval(
        RELEASE,
        2,
        claimKey(key),
        waitersKey(key),
        claimValue(buildId, attemptTag),
      )) as string[];
      if (waiters.length > 0) await wake?.(waiters);
    },
    async markWaiting(buildId, key) {
      const held = await redis.eval(
        MARK_WAITING,
        3,
        waitKey(buildId),
        waitersKey(key),
        claimKey(key),
        buildId,
        key,
        WAIT_MARKER_TTL_S,
      );
      return held === 1;
    },
    async stillWaiting(buildId) {
      const key = await redis.get(waitKey(buildId));
      if (!key) return undefined;
      const value = await redis.get(claimKey(key));
      const holder = value ? holderBuild(value) : undefined;
      return holder && holder !== buildId ? holder : undefined;
    },
    async clearWaiting(buildId) {
      await redis.del(waitKey(buildId));
    },
  };
}

/** How often a wake retries a waiter that is still on its way to delayed (it registered, then moves). */
const WAKE_TRIES = 10;
const WAKE_RETRY_MS = 300;

/**
 * Wakes waiting builds by promoting their delayed jobs. A waiter registers before it moves to delayed, so a release
 * in between finds it still active: the wake tries again for a few seconds.
 */
export function wakeWaitingBuilds(queues: Queue | Queue[]): (buildIds: string[]) => Promise<void> {
  // A waiter may sit in any of the host's queues (its arch's, or the one for builds needing a capability).
  const all = Array.isArray(queues) ? queues : [queues];
  const find = async (id: string) => {
    for (const queue of all) {
      const job = await Job.fromId(queue, id);
      if (job) return job;
    }
    return undefined;
  };
  return async (buildIds) => {
    await Promise.all(
      buildIds.map(async (id) => {
        for (let i = 0; i < WAKE_TRIES; i += 1) {
          const job = await find(id);
          if (!job) return;
          const state = await job.getState();
          if (state === 'delayed') {
            await job.promote().catch(() => undefined);
            return;
          }
          if (state !== 'active') return;
          await new Promise((r) => setTimeout(r, WAKE_RETRY_MS));
        }
      }),
    );
  };
}
