import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_WORKER_SETTINGS, RETRY_BACKOFF_TYPE, RetryLater } from '../../src/queue/retry-backoff.ts';
import { type RedisHandle, startRedis } from '../testbed/index.ts';

// The queue really waits what the error asked for: a first attempt that fails with a 3 s Retry-After is tried
// again about 3 s later, although the job's own backoff is a minute.
let redis: RedisHandle;
let queue: Queue;
let worker: Worker;
const starts = new Map<string, number[]>();

beforeAll(async () => {
  redis = await startRedis();
  const connection = { url: redis.url };
  queue = new Queue('retry-backoff', { connection });
  worker = new Worker(
    'retry-backoff',
    async (job) => {
      const seen = starts.get(job.name) ?? [];
      seen.push(Date.now());
      starts.set(job.name, seen);
      if (seen.length === 1) throw new RetryLater('registry answered 429', job.data.retryAfterMs);
      return 'built';
    },
    { connection, settings: BUILD_WORKER_SETTINGS },
  );
});

afterAll(async () => {
  await worker?.close();
  await queue?.close();
  await redis?.stop();
});

describe('retry backoff in BullMQ', () => {
  it("retries after the registry's Retry-After, and after the exponential backoff otherwise", async () => {
    const options = { attempts: 2, backoff: { type: RETRY_BACKOFF_TYPE, delay: 60_000 } };
    const limited = await queue.add('limited', { retryAfterMs: 3_000 }, options);
    const plain = await queue.add('plain', {}, options);
    const deadline = Date.now() + 20_000;
    while ((await limited.getState()) !== 'completed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await limited.getState()).toBe('completed');
    const [first, second] = starts.get('limited') ?? [];
    const waited = (second ?? 0) - (first ?? 0);
    expect(waited).toBeGreaterThanOrEqual(2_900);
    expect(waited).toBeLessThan(15_000);
    // Without a Retry-After: delayed by about the minute of the job's own backoff (48–72 s with jitter).
    expect(await plain.getState()).toBe('delayed');
    const delayed = await queue.getJob(plain.id ?? '');
    expect(delayed?.delay).toBeGreaterThanOrEqual(48_000);
    console.log(
      `retry-backoff: Retry-After 3 s → retried after ${waited} ms; plain → delayed ${delayed?.delay} ms`,
    );
  });
});
