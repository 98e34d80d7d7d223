import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildQueues } from '../../src/queue/build-producer.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { BuildRecords } from '../../src/slack/build-records.ts';
import { createNotifyQueue } from '../../src/slack/notify/event-bridge.ts';
import { syncBuild } from '../../src/slack/notify/sync-build.ts';
import type { SlackMessage, SlackPoster } from '../../src/slack/slack-poster.ts';
import { artifactKeys } from '../../src/storage/artifact-store.ts';
import { createLocalStore, type LocalStore } from '../../src/storage/local-store.ts';
import { type RedisHandle, startRedis } from '../testbed/index.ts';
import { request } from '../unit/slack/slack-fixtures.ts';

// The "Full log" button of a finished build's Slack message: shown only when the build has a stored log.

let redis: RedisHandle;
let client: Redis;
let queues: BuildQueues;
let worker: Worker;
let store: LocalStore;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: null });
  queues = new BuildQueues(client);
  dir = await mkdtemp(join(tmpdir(), 'slack-full-log-'));
  store = createLocalStore({ root: dir, publicUrl: 'http://localhost:3000', signingKey: randomBytes(32) });
  // Every build fails at once, as one refused before any log was written would.
  worker = new Worker(
    buildQueueName('x86_64'),
    async (): Promise<void> => {
      throw new UnrecoverableError('refused');
    },
    { connection: client.duplicate(), prefix: QUEUE_PREFIX },
  );
});

afterAll(async () => {
  await worker?.close();
  await queues?.close();
  client?.disconnect();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function failedBuild(buildId: string): Promise<SlackMessage> {
  const queue = queues.get('x86_64');
  await queue.add('build', request({ arch: 'x86_64' }), { jobId: buildId });
  for (let i = 0; i < 100 && (await queue.getJobState(buildId)) !== 'failed'; i++)
    await new Promise((r) => setTimeout(r, 50));
  const records = new BuildRecords(client);
  await records.create(buildId, { channel: 'C1', ts: '1.1', requester: 'U1' });
  const updates: SlackMessage[] = [];
  const poster: SlackPoster = {
    post: async () => ({ channel: 'C1', ts: '1.1', via: 'channel' }),
    update: async (_c, _t, message) => void updates.push(message),
    reply: async () => undefined,
    ephemeral: async () => undefined,
  };
  const notify = createNotifyQueue(client);
  await syncBuild(
    { queues, records, notify, poster, store, logger: pino({ level: 'silent' }) },
    { buildId, arch: 'x86_64' },
  );
  await notify.close();
  const last = updates.at(-1);
  if (!last) throw new Error('no chat.update');
  return last;
}

describe('Full log button', () => {
  it('is absent for a failed build with no stored log, and present once the log exists', async () => {
    const without = JSON.stringify((await failedBuild('bnolog001')).blocks);
    await store.putObject(artifactKeys('bwlog0001').log, '# build bwlog0001\n', 'text/plain');
    const withLog = JSON.stringify((await failedBuild('bwlog0001')).blocks);
    expect(without).not.toContain('Full log');
    expect(withLog).toContain('Full log');
    console.log('slack full log: button on 1/1 builds with a log, 0/1 without');
  });
});
