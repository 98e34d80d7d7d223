import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureIdenticalWait } from '../../bench/identical/identical-wait.ts';
import { type RedisHandle, type S3Handle, startRedis, startS3 } from '../testbed/index.ts';

// The measuring code is the bench's ("identical" section, which reports the same figures against the 2 s look
// as its baseline); this test holds today's design to its bounds.

let redis: RedisHandle;
let s3: S3Handle;
let dir: string;

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3()]);
  dir = await mkdtemp(join(tmpdir(), 'identical-wait-'));
});

afterAll(async () => {
  await Promise.all([redis?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('builds waiting for an identical build', () => {
  it('cost at most one Redis command per waiting build per 2 s and no events, and wake at the release', async () => {
    const setup = { redisUrl: redis.url, s3, dir, waiters: 5, windowMs: 10_000 };
    const before = await measureIdenticalWait(setup, false, 'polled');
    const after = await measureIdenticalWait(setup, true, 'woken');
    console.log(
      `identical wait: per waiting build per 2 s, looking every 2 s: ${before.commands.toFixed(1)} Redis commands, ` +
        `${before.events.toFixed(2)} queue events; woken by the release: ${after.commands.toFixed(2)} commands, ` +
        `${after.events.toFixed(2)} events; ${setup.waiters} waiters answered ${after.answeredMs} ms after the ` +
        `holder's builder finished (looking every 2 s: ${before.answeredMs} ms)`,
    );
    expect(after.commands).toBeLessThanOrEqual(1);
    expect(after.events).toBe(0);
    expect(before.commands).toBeGreaterThan(after.commands);
    expect(after.answeredMs).toBeLessThan(10_000);
  });
});
