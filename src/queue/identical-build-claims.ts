import type { Redis } from 'ioredis';
import { QUEUE_PREFIX } from './names.ts';

/**
 * Deduplication of concurrent identical builds (issue 6 §5): the first build of a key claims it in Redis; an
 * identical build that arrives meanwhile waits (delayed in the queue, holding no worker slot) and is then answered
 * from the first one's ISO. A claim expires unless its holder renews it, so a dead host never blocks the key for
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
  /** Deletes the claim only if this attempt still holds it. */
  release(key: string, buildId: string, attemptTag?: string): Promise<void>;
  /** Remembers that `buildId` waits for `key`, so its next turn can look without pulling images again. */
  markWaiting(buildId: string, key: string): Promise<void>;
  /** The build still waited for, if `buildId` waits and the key is still held by someone else. */
  stillWaiting(buildId: string): Promise<string | undefined>;
  clearWaiting(buildId: string): Promise<void>;
}

const claimKey = (key: string) => `${QUEUE_PREFIX}:identical:${key}`;
const waitKey = (buildId: string) => `${QUEUE_PREFIX}:identical-wait:${buildId}`;

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
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/** A day is far longer than any wait; the marker only has to outlive the build that set it. */
const WAIT_MARKER_TTL_S = 24 * 3600;

export function createIdenticalBuildClaims(redis: Redis, claimTtlMs: number): IdenticalBuildClaims {
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
      await redis.eval(RELEASE, 1, claimKey(key), claimValue(buildId, attemptTag));
    },
    async markWaiting(buildId, key) {
      await redis.set(waitKey(buildId), key, 'EX', WAIT_MARKER_TTL_S);
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
