import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker as WorkerSettings } from '../../src/config/file-schema.ts';
import { isBuildProgress } from '../../src/queue/build-job.ts';
import { BuildQueues, enqueueBuild } from '../../src/queue/build-producer.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { createBuildJobProcessor } from '../../workers/process-build-job.ts';
import { stubPodman } from '../support/stub-podman.ts';
import { type RedisHandle, type S3Handle, startRedis, startS3 } from '../testbed/index.ts';

// A job whose storage is misconfigured fails once, with a code that says so, and is not retried: a retry would
// rebuild the ISO only for the same store to refuse it again.

const REGISTRY = 'registry.example.com';
const builders = { standin: { image: `${REGISTRY}/bib/standin:1` } };
const logger = pino({ level: 'silent' });

let redis: RedisHandle;
let s3: S3Handle;
let dir: string;
let connection: Redis;
let queues: BuildQueues;

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3()]);
  dir = await mkdtemp(join(tmpdir(), 'storage-misconfigured-'));
  connection = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  queues = new BuildQueues(connection);
});

afterAll(async () => {
  await queues?.close();
  connection?.disconnect();
  await Promise.all([redis?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a build whose artifact store is misconfigured', () => {
  it.each([
    ['a wrong secret key', { secretAccessKey: 'wrong' }, 'S3_SECRET_ACCESS_KEY'],
    ['a missing bucket', { bucket: 'no-such-bucket' }, 'S3_BUCKET'],
  ])(
    'with %s fails at once with STORAGE_MISCONFIGURED and is not retried',
    async (_what, change, setting) => {
      const podman = stubPodman();
      const config = {
        allowedRegistries: [REGISTRY],
        builders,
        registries: {},
        linkTtlSeconds: 600,
        workerName: 'host-1',
        worker: WorkerSettings.parse({
          workDir: join(dir, 'work'),
          containerStorage: dir,
          minFreeDiskGiB: 0,
          timeouts: { loginSeconds: 5, pullSeconds: 5, buildSeconds: 5, uploadSeconds: 60 },
          attempts: 3,
          backoffSeconds: 0,
        }),
      };
      const store = createS3Store({ ...s3, forcePathStyle: true, ...change });
      const workerConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
      const worker = new Worker(
        buildQueueName('x86_64'),
        createBuildJobProcessor({ config, podman, store, logger }),
        { connection: workerConnection, prefix: QUEUE_PREFIX },
      );
      try {
        const started = Date.now();
        const { buildId } = await enqueueBuild(
          queues,
          {
            source: `${REGISTRY}/os/demo:1`,
            builder: { name: 'standin', image: builders.standin.image },
            type: 'anaconda-iso',
            arch: 'x86_64',
            requester: { kind: 'cli', user: 'tester' },
            requestedAt: new Date().toISOString(),
          },
          { allowedRegistries: [REGISTRY], builders },
          { attempts: 3, backoffSeconds: 0 },
        );
        const queue = queues.get('x86_64');
        for (let i = 0; i < 400 && (await queue.getJobState(buildId)) !== 'failed'; i++) {
          await new Promise((r) => setTimeout(r, 50));
        }
        const job = await queue.getJob(buildId);
        expect(await job?.getState()).toBe('failed');
        expect(job?.attemptsMade).toBe(1);
        const progress = job?.progress;
        expect(isBuildProgress(progress) && progress.error?.code).toBe('STORAGE_MISCONFIGURED');
        expect(isBuildProgress(progress) && progress.error?.message).toContain(setting);
        // Built once; the upload step did not spend its own retries (seconds of backoff) on it either.
        expect(podman.calls.filter((c) => c === 'run')).toHaveLength(1);
        expect(Date.now() - started).toBeLessThan(8000);
      } finally {
        await worker.close();
        workerConnection.disconnect();
      }
    },
    30_000,
  );
});
