import { describe, expect, it } from 'vitest';
import { createLiveArchesCache } from '../../../src/slack/background/live-arches-cache.ts';

/** Just enough of ioredis for listLiveWorkers: one live x86_64 worker. */
function fakeRedis() {
  const calls = { zrangebyscore: 0 };
  const worker = {
    name: 'w1',
    host: 'h1',
    arch: 'x86_64',
    concurrency: 1,
    running: [],
    disk: { workDirFreeGiB: 10, containerStorageFreeGiB: 10 },
    podmanVersion: '5.0.0',
    builderImages: [],
    startedAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    version: '0.1.0',
  };
  const redis = {
    zrangebyscore: async () => {
      calls.zrangebyscore += 1;
      return ['w1'];
    },
    mget: async () => [JSON.stringify(worker)],
  };
  return { redis, calls };
}

describe('the live-arch cache', () => {
  it('reads the heartbeats once for concurrent callers and reuses the answer for ttlMs', async () => {
    const { redis, calls } = fakeRedis();
    let clock = 1000;
    const liveArches = createLiveArchesCache(redis as never, { ttlMs: 500, now: () => clock });
    const answers = await Promise.all([liveArches(500), liveArches(500), liveArches(2000)]);
    expect(answers).toEqual([['x86_64'], ['x86_64'], ['x86_64']]);
    expect(calls.zrangebyscore).toBe(1);
    clock += 499;
    await liveArches(500);
    expect(calls.zrangebyscore).toBe(1);
    clock += 1;
    await liveArches(500);
    expect(calls.zrangebyscore).toBe(2);
  });

  it('answers undefined at the caller’s timeout when Redis does not answer', async () => {
    const redis = { zrangebyscore: () => new Promise(() => undefined), mget: async () => [] };
    const liveArches = createLiveArchesCache(redis as never);
    expect(await liveArches(20)).toBeUndefined();
  });
});
