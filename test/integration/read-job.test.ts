import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobWithState } from '../../src/queue/read-job.ts';
import { type RedisHandle, startRedis } from '../testbed/index.ts';

let redis: RedisHandle;
let queue: Queue;
let worker: Worker;
const JOBS = 60;

beforeAll(async () => {
  redis = await startRedis();
  const connection = { url: redis.url };
  queue = new Queue('read-job', { connection });
  // Like a build: the final progress is written, then the job completes or fails.
  worker = new Worker(
    'read-job',
    async (job) => {
      const fail = Number(job.name) % 2 === 1;
      await job.updateProgress({ step: 'running' });
      await job.updateProgress({ step: fail ? 'failed' : 'done' });
      if (fail) throw new Error('fails on purpose');
      return { iso: job.name };
    },
    { connection, concurrency: 4 },
  );
});

afterAll(async () => {
  await worker?.close();
  await queue?.close();
  await redis?.stop();
});

describe('reading a job and its state', () => {
  it('never shows a finished state with the data of a running job', async () => {
    const jobs = await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({ name: String(i), data: {} })));
    let reads = 0;
    const seen = await Promise.all(
      jobs.map(async (added) => {
        for (;;) {
          const read = await readJobWithState(queue, added.id ?? '');
          reads++;
          expect(read).toBeDefined();
          const { job, state } = read as NonNullable<typeof read>;
          if (state === 'failed') {
            expect(job.progress).toEqual({ step: 'failed' });
            return state;
          }
          if (state === 'completed') {
            expect(job.returnvalue).toEqual({ iso: job.name });
            return state;
          }
        }
      }),
    );
    expect(seen.filter((s) => s === 'failed')).toHaveLength(JOBS / 2);
    expect(await readJobWithState(queue, 'no-such-job')).toBeUndefined();
    console.log(`read-job: ${JOBS} jobs, ${reads} reads while they ran, no finished state with stale data`);
  });
});
