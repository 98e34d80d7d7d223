import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRequestInput } from '../../src/domain/build-request.ts';
import { AppError } from '../../src/domain/errors.ts';
import { isBuildProgress } from '../../src/queue/build-job.ts';
import { BuildQueues, enqueueBuild } from '../../src/queue/build-producer.ts';
import { cancelRequestedBy, requestCancel } from '../../src/queue/cancel-requests.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { BUILD_WORKER_SETTINGS } from '../../src/queue/retry-backoff.ts';
import { readBuildStatus } from '../../src/slack/notify/read-build-status.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import type { Podman } from '../../workers/podman.ts';
import { type BuildJobDeps, createBuildJobProcessor } from '../../workers/process-build-job.ts';
import { stubPodman } from '../support/stub-podman.ts';
import { type RedisHandle, type S3Handle, startRedis, startS3 } from '../testbed/index.ts';

const REGISTRY = 'registry.example.com';
const SECRET = 'queue-test-Secret-Passw0rd-91c2';
const builders = { standin: { image: `${REGISTRY}/bib/standin:1` } };
const policy = { allowedRegistries: [REGISTRY], builders };
const retry = { attempts: 3, backoffSeconds: 0.05 };

let redis: RedisHandle;
let s3: S3Handle;
let dir: string;
let connection: Redis;
let queues: BuildQueues;
const cleanups: (() => Promise<unknown>)[] = [];

function request(overrides: Partial<BuildRequestInput> = {}): BuildRequestInput {
  return {
    source: `${REGISTRY}/os/demo:1`,
    builder: { name: 'standin', image: builders.standin.image },
    type: 'anaconda-iso',
    arch: 'x86_64',
    requester: { kind: 'cli', user: 'tester' },
    requestedAt: new Date().toISOString(),
    ...overrides,
  };
}

function startWorker(podman: Podman, queueName = buildQueueName('x86_64'), startDelayMs = 0) {
  const deps: BuildJobDeps = {
    config: {
      allowedRegistries: [REGISTRY],
      builders,
      registries: { [REGISTRY]: { username: 'robot', password: SECRET, insecure: false } },
      linkTtlSeconds: 600,
      workerName: 'test-host',
      worker: {
        concurrency: 1,
        workDir: join(dir, 'work'),
        containerStorage: dir,
        minFreeDiskGiB: 0,
        warm: { intervalMinutes: 0 },
        podman: 'podman',
        derive: { network: 'none', timeoutSeconds: 60 },
        timeouts: { loginSeconds: 5, pullSeconds: 5, buildSeconds: 5, uploadSeconds: 5 },
        attempts: 3,
        backoffSeconds: 0.05,
        lockSeconds: 30,
        shutdownGraceSeconds: 0,
      },
    },
    podman,
    store: createS3Store({ ...s3, forcePathStyle: true }),
    logger: pino({ level: 'silent' }),
    cancelledBy: (buildId) => cancelRequestedBy(connection, buildId),
  };
  const processor = createBuildJobProcessor(deps);
  const delayed: typeof processor = async (job, token, signal) => {
    await setTimeout(startDelayMs);
    return processor(job, token, signal);
  };
  const worker = new Worker(queueName, startDelayMs ? delayed : processor, {
    connection: new Redis(redis.url, { maxRetriesPerRequest: null }),
    prefix: QUEUE_PREFIX,
    settings: BUILD_WORKER_SETTINGS,
  });
  cleanups.push(() => worker.close());
  return worker;
}

/** Polls the job's state: unlike a QueueEvents wait, it cannot miss a job that finished before it looked. */
async function finished(job: Job | undefined, timeoutMs = 30_000): Promise<'completed' | 'failed'> {
  if (!job?.id) throw new Error('no job');
  const queue = queues.get('x86_64');
  const start = Date.now();
  for (;;) {
    const state = await queue.getJobState(job.id);
    if (state === 'completed' || state === 'failed') return state;
    if (Date.now() - start > timeoutMs) throw new Error(`job ${job.id} still ${state} after ${timeoutMs} ms`);
    await setTimeout(50);
  }
}

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3()]);
  dir = await mkdtemp(join(tmpdir(), 'build-queue-'));
  connection = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  queues = new BuildQueues(connection);
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  await queues.get('x86_64').obliterate({ force: true });
});

afterAll(async () => {
  await queues?.close();
  connection?.disconnect();
  await Promise.all([redis?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('queueing builds in real Redis', () => {
  it('queues a valid request under its build id with retries for infrastructure faults', async () => {
    const { buildId, ahead } = await enqueueBuild(queues, request(), policy, retry);
    const job = await queues.get('x86_64').getJob(buildId);
    expect(ahead).toBe(0);
    expect(job?.id).toBe(buildId);
    expect(job?.opts.attempts).toBe(3);
    expect(job?.data.source).toBe(`${REGISTRY}/os/demo:1`);
  });

  it('queues nothing when the request is invalid', async () => {
    await expect(
      enqueueBuild(queues, request({ source: 'other.example.com/os/demo:1' }), policy, retry),
    ).rejects.toMatchObject({ code: 'REGISTRY_NOT_ALLOWED' });
    expect(await queues.get('x86_64').count()).toBe(0);
  });

  it('tells a queued build how many builds are ahead of it, without reading the queue', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await enqueueBuild(queues, request(), policy, retry)).buildId);
    const ahead = await Promise.all(
      ids.map(async (id) => (await readBuildStatus(queues, 'x86_64', id, undefined))?.ahead),
    );
    expect(ahead).toEqual([0, 1, 2]);
  });

  it('routes each architecture to its own queue', async () => {
    const { buildId } = await enqueueBuild(queues, request({ arch: 'aarch64' }), policy, retry);
    expect(await queues.get('aarch64').getJob(buildId)).toBeDefined();
    expect(await queues.get('x86_64').getJob(buildId)).toBeUndefined();
    await queues.get('aarch64').obliterate({ force: true });
  });
});

describe('the build processor on a real BullMQ worker', () => {
  it('completes a build and keeps registry secrets out of the job', async () => {
    const podman = stubPodman();
    startWorker(podman);
    const { buildId } = await enqueueBuild(queues, request(), policy, retry);
    const job = await queues.get('x86_64').getJob(buildId);
    expect(await finished(job)).toBe('completed');
    expect(podman.calls).toEqual([
      `login ${REGISTRY}`,
      `pull ${builders.standin.image}`,
      `pull ${REGISTRY}/os/demo:1`,
      'run',
    ]);
    const done = await queues.get('x86_64').getJob(buildId);
    expect(done?.returnvalue.iso.size).toBe(3);
    expect(
      JSON.stringify({ data: done?.data, result: done?.returnvalue, progress: done?.progress }),
    ).not.toContain(SECRET);
  });

  it('retries a registry outage with backoff and then succeeds', async () => {
    let logins = 0;
    const podman = stubPodman({
      login: async (o) => {
        logins += 1;
        if (logins === 1) throw new AppError('REGISTRY_UNAVAILABLE', `registry ${o.registry} is unreachable`);
      },
    });
    startWorker(podman);
    const { buildId } = await enqueueBuild(queues, request(), policy, retry);
    expect(await finished(await queues.get('x86_64').getJob(buildId))).toBe('completed');
    expect((await queues.get('x86_64').getJob(buildId))?.attemptsMade).toBe(2);
  });

  it('fails a missing image at once, with the error code in the job progress', async () => {
    startWorker(
      stubPodman({
        pull: async (o) => {
          throw new AppError('IMAGE_NOT_FOUND', `image not found: ${o.ref}`);
        },
      }),
    );
    const { buildId } = await enqueueBuild(queues, request(), policy, retry);
    expect(await finished(await queues.get('x86_64').getJob(buildId))).toBe('failed');
    const job = await queues.get('x86_64').getJob(buildId);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toContain('image not found');
    expect(isBuildProgress(job?.progress) && job.progress.error?.code).toBe('IMAGE_NOT_FOUND');
  });

  it('validates job data again and refuses a job that bypassed the producer, without running podman', async () => {
    const podman = stubPodman();
    startWorker(podman);
    const job = await queues
      .get('x86_64')
      .add('build', request({ source: 'evil.example.com/x:1' }), { jobId: 'bypass1', attempts: 3 });
    expect(await finished(job)).toBe('failed');
    const failed = await queues.get('x86_64').getJob('bypass1');
    expect(failed?.attemptsMade).toBe(1);
    expect(podman.calls).toEqual([]);
  });
  it('cancels a build whose cancel came while a worker was taking it: remembered in Redis, not only broadcast', async () => {
    const podman = stubPodman();
    // This worker hears no broadcasts and starts each build 500 ms after taking it: the cancel lands in that gap,
    // like one sent between a worker taking a job and tracking it (a broadcast then reaches no one).
    startWorker(podman, undefined, 500);
    const job = await queues.get('x86_64').add('build', request(), { jobId: 'cancelgap1', attempts: 3 });
    for (let i = 0; (await queues.get('x86_64').getJobState('cancelgap1')) !== 'active'; i++) {
      if (i > 200) throw new Error('the worker never took the build');
      await setTimeout(10);
    }
    expect(await requestCancel(queues, connection, 'cancelgap1', 'cli:ann')).toBe('signalled');
    expect(await finished(job)).toBe('failed');
    const cancelled = await queues.get('x86_64').getJob('cancelgap1');
    const progress = cancelled?.progress;
    expect(isBuildProgress(progress) && progress.error).toMatchObject({
      code: 'CANCELLED',
      message: 'cancelled by cli:ann',
    });
    expect(cancelled?.attemptsMade).toBe(1);
    expect(podman.calls).toEqual([]);
  });

  it('removes a queued build; says finished or not-found otherwise, and never throws', async () => {
    const queue = queues.get('x86_64');
    await queue.add('build', request(), { jobId: 'cancelq1' });
    expect(await requestCancel(queues, connection, 'cancelq1', 'cli:ann')).toBe('removed');
    expect(await queue.getJob('cancelq1')).toBeUndefined();
    // Remembered, so that the build's Slack message can say who cancelled it (its job is gone).
    expect(await cancelRequestedBy(connection, 'cancelq1')).toBe('cli:ann');
    expect(await requestCancel(queues, connection, 'nosuchbuild', 'cli:ann')).toBe('not-found');
    const podman = stubPodman();
    startWorker(podman);
    const done = await queue.add('build', request(), { jobId: 'cancelf1' });
    expect(await finished(done)).toBe('completed');
    expect(await requestCancel(queues, connection, 'cancelf1', 'cli:ann')).toBe('finished');
  });
});
