import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildQueues } from '../../src/queue/build-producer.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { BuildRecords } from '../../src/slack/build-records.ts';
import { createNotifyQueue } from '../../src/slack/notify/event-bridge.ts';
import { syncBuild } from '../../src/slack/notify/sync-build.ts';
import type { SlackMessage, SlackPoster } from '../../src/slack/slack-poster.ts';
import { type RedisHandle, startRedis } from '../testbed/index.ts';
import { request, result, USER_ID } from '../unit/slack/slack-fixtures.ts';

// The DM to the requester when a build ends: sent once however often the build is synced, and only when configured.

let redis: RedisHandle;
let connection: Redis;
let queues: BuildQueues;
let records: BuildRecords;
const posts: { channel: string; message: SlackMessage }[] = [];

const poster: SlackPoster = {
  post: async (channel, message) => {
    posts.push({ channel, message });
    return { channel, ts: '1700000000.000100', via: 'channel' };
  },
  update: async () => undefined,
  reply: async () => undefined,
  ephemeral: async () => undefined,
};

/** A build that completed on a stand-in worker, with a status message in C0TEST. */
async function completedBuild(buildId: string): Promise<void> {
  const arch = 'x86_64' as const;
  await queues.get(arch).add('build', request(), { jobId: buildId });
  const blocking = new Redis(redis.url, { maxRetriesPerRequest: null });
  const worker = new Worker(buildQueueName(arch), async () => result({ buildId }), {
    connection: blocking,
    prefix: QUEUE_PREFIX,
  });
  await new Promise<void>((resolve) => worker.on('completed', () => resolve()));
  await worker.close();
  blocking.disconnect();
  await records.create(buildId, { channel: 'C0TEST', ts: '1700000000.000001', requester: USER_ID }, 0);
}

beforeAll(async () => {
  redis = await startRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  queues = new BuildQueues(connection);
  records = new BuildRecords(connection);
});

afterAll(async () => {
  await queues?.close();
  connection?.disconnect();
  await redis?.stop();
});

describe('the DM when a build ends', () => {
  it('goes to the requester once, however many times the build is synced', async () => {
    await completedBuild('bdm000001');
    const notify = createNotifyQueue(connection);
    const deps = { queues, records, notify, poster, store: undefined, logger: pino({ level: 'silent' }) };
    for (let i = 0; i < 3; i++) {
      await syncBuild({ ...deps, dmOnFinish: true }, { buildId: 'bdm000001', arch: 'x86_64' });
    }
    const dms = posts.filter((p) => p.channel === USER_ID);
    expect(dms.map((d) => d.message.text)).toEqual(['Your build bdm000001 is ready']);
    expect((await records.get('bdm000001'))?.notes).toContain('dm');
    await notify.close();
  });

  it('is not sent unless configured', async () => {
    posts.length = 0;
    await completedBuild('bdm000002');
    const notify = createNotifyQueue(connection);
    const deps = { queues, records, notify, poster, store: undefined, logger: pino({ level: 'silent' }) };
    await syncBuild(deps, { buildId: 'bdm000002', arch: 'x86_64' });
    expect(posts).toEqual([]);
    await notify.close();
  });
});
