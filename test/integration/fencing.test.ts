import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelMarkKey } from '../../src/queue/cancel-requests.ts';
import { createIdenticalBuildClaims } from '../../src/queue/identical-build-claims.ts';
import { QUEUE_PREFIX } from '../../src/queue/names.ts';
import { attemptTag, createFence, FENCE_POLL_MS } from '../../workers/fence.ts';
import { type RedisHandle, startRedis } from '../testbed/index.ts';

const QUEUE = 'builds-fencing';
const logger = pino({ level: 'silent' });

let redis: RedisHandle;
let client: Redis;
let queue: Queue;
let worker: Worker;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const connection = { url: redis.url, maxRetriesPerRequest: null };
  queue = new Queue(QUEUE, { connection, prefix: QUEUE_PREFIX });
  // No processor: the test takes jobs by hand, with tokens of its choosing, as two attempts would.
  worker = new Worker(QUEUE, null, { connection, prefix: QUEUE_PREFIX, lockDuration: 10_000 });
});

afterAll(async () => {
  await worker?.close();
  await queue?.close();
  client?.disconnect();
  await redis?.stop();
});

const lockKey = (id: string) => `${QUEUE_PREFIX}:${QUEUE}:${id}:lock`;
const fenceFor = (jobId: string, token: string, lockMs = 10_000) =>
  createFence(client, { prefix: QUEUE_PREFIX, queue: QUEUE, jobId, token, lockMs }, logger);

/** Takes the next job as an attempt with `token`, then hands its lock to `next` as a takeover would. */
async function takenOver(id: string, token: string, next: string) {
  await queue.add('build', {}, { jobId: id });
  const job = await worker.getNextJob(token);
  expect(job?.id).toBe(id);
  const fence = fenceFor(id, token);
  expect(await fence.writeProgress({ step: 'build', host: 'old' })).toBe(true);
  await client.set(lockKey(id), next, 'PX', 10_000);
  return fence;
}

describe('fencing an attempt by its job token', () => {
  it('refuses progress, events and publishes from an attempt whose lock another attempt now holds', async () => {
    const fence = await takenOver('bfence001', 'token-a', 'token-b');
    const events = await client.xlen(`${QUEUE_PREFIX}:${QUEUE}:events`);
    expect(await fence.writeProgress({ step: 'failed', host: 'old' })).toBe(false);
    await expect(fence.check()).rejects.toThrow(/lock was lost/);
    expect(fence.lost()).toBe(true);
    expect(fence.signal.aborted).toBe(true);
    // The finisher writes through its own fence; the old attempt's write changed nothing, not even the stream.
    expect(await fenceFor('bfence001', 'token-b').writeProgress({ step: 'done', host: 'new' })).toBe(true);
    const job = await queue.getJob('bfence001');
    expect(job?.progress).toEqual({ step: 'done', host: 'new' });
    expect(await client.xlen(`${QUEUE_PREFIX}:${QUEUE}:events`)).toBe(events + 1);
  });

  it('hears a remembered cancel and a lost lock through its 2-second poll', async () => {
    await queue.add('build', {}, { jobId: 'bfence002' });
    await worker.getNextJob('token-c');
    const fence = fenceFor('bfence002', 'token-c');
    const heard: string[] = [];
    const stop = fence.startPoll((by) => heard.push(by));
    await client.set(cancelMarkKey('bfence002'), 'root via the CLI', 'EX', 60);
    const sent = Date.now();
    while (heard.length === 0 && Date.now() - sent < 3 * FENCE_POLL_MS) await sleep(100);
    expect(heard[0]).toBe('root via the CLI');
    console.log(`fencing: remembered cancel heard by the poll after ${Date.now() - sent} ms`);
    await client.set(lockKey('bfence002'), 'token-d', 'PX', 10_000);
    const taken = Date.now();
    while (!fence.lost() && Date.now() - taken < 3 * FENCE_POLL_MS) await sleep(100);
    stop();
    expect(fence.lost()).toBe(true);
    console.log(`fencing: lock taken over, noticed by the poll after ${Date.now() - taken} ms`);
  });

  it('stops an attempt that cannot confirm its lock for half its duration (Redis unreachable)', async () => {
    await queue.add('build', {}, { jobId: 'bfence003' });
    await worker.getNextJob('token-e');
    const fence = fenceFor('bfence003', 'token-e', 4_000);
    const stop = fence.startPoll(() => undefined);
    // A paused Redis answers nothing, as across a partition: commands hang, they do not fail.
    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'PAUSE', '6000', 'ALL');
    const cut = Date.now();
    while (!fence.lost() && Date.now() - cut < 8_000) await sleep(100);
    const noticed = Date.now() - cut;
    stop();
    await admin.call('CLIENT', 'UNPAUSE');
    admin.disconnect();
    expect(fence.lost()).toBe(true);
    expect(noticed).toBeLessThan(2_000 + FENCE_POLL_MS + 500);
    console.log(`fencing: unreachable Redis, attempt stopped itself after ${noticed} ms (lock 4 s)`);
  });

  it('lets only the attempt that holds an identical-build claim renew or release it', async () => {
    const claims = createIdenticalBuildClaims(client, 10_000);
    const [a, b] = [attemptTag('token-1'), attemptTag('token-2')];
    expect(await claims.claim('kfence', 'bholder01', a)).toBeUndefined();
    expect(await client.get(`${QUEUE_PREFIX}:identical:kfence`)).toBe(`bholder01:${a}`);
    // The build's next attempt takes its own claim over; others see the build, not the attempt.
    expect(await claims.claim('kfence', 'bholder01', b)).toBeUndefined();
    expect(await claims.claim('kfence', 'bwaiter01', 'x')).toBe('bholder01');
    // The old attempt wakes up: its renew and release change nothing.
    expect(await claims.renew('kfence', 'bholder01', a)).toBe(false);
    await claims.release('kfence', 'bholder01', a);
    expect(await client.get(`${QUEUE_PREFIX}:identical:kfence`)).toBe(`bholder01:${b}`);
    await claims.release('kfence', 'bholder01', b);
    expect(await client.get(`${QUEUE_PREFIX}:identical:kfence`)).toBeNull();
  });
});

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
