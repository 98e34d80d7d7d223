import type { Redis } from 'ioredis';
import { QUEUE_PREFIX } from './names.ts';

/**
 * Deduplication of concurrent identical builds (issue 6 §5): the first build of a key claims it in Redis; an
 * identical build that arrives meanwhile waits (delayed in the queue, holding no worker slot) and is then answered
 * from the first one's ISO. A claim expires unless its holder renews it, so a dead host never blocks the key for
 * longer than that; the same build taken over by another host reclaims its own key.
 */
export interface IdenticalBuildClaims {
  /** Claims `key` for `buildId`. Returns the id of another build holding it, or undefined when ours now. */
  claim(key: string, buildId: string): Promise<string | undefined>;
  /** Keeps a held claim alive; false when it is no longer ours. */
  renew(key: string, buildId: string): Promise<boolean>;
  release(key: string, buildId: string): Promise<void>;
  /** Remembers that `buildId` waits for `key`, so its next turn can look without pulling images again. */
  markWaiting(buildId: string, key: string): Promise<void>;
  /** The build still waited for, if `buildId` waits and the key is still held by someone else. */
  stillWaiting(buildId: string): Promise<string | undefined>;
  clearWaiting(buildId: string): Promise<void>;
}

const claimKey = (key: string) => `${QUEUE_PREFIX}:identical:${key}`;
const waitKey = (buildId: string) => `${QUEUE_PREFIX}:identical-wait:${buildId}`;

// Set-if-absent-or-ours in one step: a GET then SET from the client could let two builds both believe they hold it.
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return holder end
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
    async claim(key, buildId) {
      const holder = (await redis.eval(CLAIM, 1, claimKey(key), buildId, claimTtlMs)) as string | null;
      return holder ?? undefined;
    },
    async renew(key, buildId) {
      return (await redis.eval(RENEW, 1, claimKey(key), buildId, claimTtlMs)) === 1;
    },
    async release(key, buildId) {
      await redis.eval(RELEASE, 1, claimKey(key), buildId);
    },
    async markWaiting(buildId, key) {
      await redis.set(waitKey(buildId), key, 'EX', WAIT_MARKER_TTL_S);
    },
    async stillWaiting(buildId) {
      const key = await redis.get(waitKey(buildId));
      if (!key) return undefined;
      const holder = await redis.get(claimKey(key));
      return holder && holder !== buildId ? holder : undefined;
    },
    async clearWaiting(buildId) {
      await redis.del(waitKey(buildId));
    },
  };
}
