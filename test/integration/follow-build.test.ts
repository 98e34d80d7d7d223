import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followBuild } from '../../src/cli/follow-build.ts';
import { BuildQueues } from '../../src/queue/build-producer.ts';
import { requestCancel } from '../../src/queue/cancel-requests.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { type RedisHandle, startRedis } from '../testbed/index.ts';

let redis: RedisHandle;
let connection: Redis;
let queues: BuildQueues;
let events: QueueEvents;

beforeAll(async () => {
  redis = await startRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  queues = new BuildQueues(connection);
  events = new QueueEvents(buildQueueName('x86_64'), {
    connection: { url: redis.url },
    prefix: QUEUE_PREFIX,
  });
  await events.waitUntilReady();
});

afterAll(async () => {
  await events?.close();
  await queues?.close();
  connection?.disconnect();
  await redis?.stop();
});

describe('following a build from the CLI', () => {
  it('ends, saying cancelled, when the queued build it follows is removed (it never completes or fails)', async () => {
    const queue = queues.get('x86_64');
    await queue.add('build', { any: 'data' }, { jobId: 'bfollow1' });
    const lines: string[] = [];
    const following = followBuild(queue, events, 'bfollow1', { write: (t: string) => lines.push(t) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await requestCancel(queues, connection, 'bfollow1', 'cli:ann')).toBe('removed');
    const outcome = await following;
    expect(outcome).toMatchObject({ ok: false, buildId: 'bfollow1', error: { code: 'CANCELLED' } });
    // Already gone when the follow starts: the same answer, not an internal error.
    expect(await followBuild(queue, events, 'bfollow1', { write: () => 0 })).toMatchObject({
      ok: false,
      error: { code: 'CANCELLED' },
    });
  }, 10_000);
});
