import { setTimeout } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildRecords } from '../../src/slack/build-records.ts';
import { type RedisHandle, startRedis } from '../testbed/index.ts';

let redis: RedisHandle;
let client: Redis;
let records: BuildRecords;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  records = new BuildRecords(client);
});

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

describe("a build's Slack lock", () => {
  it('stays held while its holder works past the lock lifetime (a Slack call retried after a 429)', async () => {
    const events: string[] = [];
    const holder = records.withLock(
      'blong',
      async () => {
        events.push('holder start');
        await setTimeout(1000);
        events.push('holder end');
        return 'held';
      },
      { ttlMs: 300 },
    );
    await setTimeout(500);
    // Past the 300 ms lifetime: without renewal another process would get the lock and edit the message too.
    expect(await records.withLock('blong', async () => 'second', { ttlMs: 300 })).toBeUndefined();
    await setTimeout(400);
    expect(await records.withLock('blong', async () => 'third', { ttlMs: 300 })).toBeUndefined();
    expect(await holder).toBe('held');
    // Released at once when done, not left to lapse.
    expect(await records.withLock('blong', async () => 'after', { ttlMs: 300 })).toBe('after');
    expect(events).toEqual(['holder start', 'holder end']);
  });

  it('lets a caller wait for the lock, and runs it after the holder, not alongside', async () => {
    const order: string[] = [];
    const first = records.withLock('bwait', async () => {
      order.push('first start');
      await setTimeout(300);
      order.push('first end');
    });
    await setTimeout(50);
    const second = records.withLock(
      'bwait',
      async () => {
        order.push('second');
        return 'ran';
      },
      { waitMs: 2000 },
    );
    await first;
    expect(await second).toBe('ran');
    expect(order).toEqual(['first start', 'first end', 'second']);
    // A wait that ends before the lock is free gives up without running.
    const busy = records.withLock('bbusy', () => setTimeout(500));
    await setTimeout(50);
    expect(await records.withLock('bbusy', async () => 'ran', { waitMs: 150 })).toBeUndefined();
    await busy;
  });
});

describe("a build's Slack record", () => {
  it('loses no concurrent update (each one is applied to the newest record)', async () => {
    await records.create('bconc', { channel: 'C1', ts: '1.1', requester: 'U1' });
    // 50 writers at once on one connection: every GET is answered before any write, the worst interleaving.
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        records.update('bconc', (r) => ({ ...r, notes: [...r.notes, `note-${i}`] })),
      ),
    );
    await Promise.all([
      records.update('bconc', (r) => ({ ...r, cancelledBy: 'U2' })),
      records.update('bconc', (r) => ({ ...r, retriedAs: 'bretry01' })),
    ]);
    const record = await records.get('bconc');
    expect(new Set(record?.notes).size).toBe(50);
    expect(record).toMatchObject({ cancelledBy: 'U2', retriedAs: 'bretry01', channel: 'C1' });
    expect(await records.update('bnone', (r) => r)).toBeUndefined();
  });
});
