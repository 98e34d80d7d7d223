import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORKER } from '../../src/config/defaults.ts';
import type { BuildRequestInput } from '../../src/domain/build-request.ts';
import { BuildQueues, enqueueBuild } from '../../src/queue/build-producer.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { writeWorkerInfo } from '../../src/queue/worker-registry.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { withBuildMetrics } from '../../workers/build-metrics.ts';
import type { Podman } from '../../workers/podman.ts';
import { createBuildJobProcessor } from '../../workers/process-build-job.ts';
import { startWorkerOps, type WorkerOps } from '../../workers/worker-ops.ts';
import { sampleValue, scrape } from '../support/prometheus.ts';
import { stubPodman } from '../support/stub-podman.ts';
import { type RedisHandle, type S3Handle, startRedis, startS3 } from '../testbed/index.ts';

const REGISTRY = 'registry.example.com';
const builders = { standin: { image: `${REGISTRY}/bib/standin:1` } };
const policy = { allowedRegistries: [REGISTRY], builders };
const ISO_BYTES = 'ISO image bytes'.length;

let redis: RedisHandle;
let s3: S3Handle;
let dir: string;
let connection: Redis;
let queues: BuildQueues;
let ops: WorkerOps;
let worker: Worker;
let failNextBuild = false;
const logger = pino({ level: 'silent' });

/** podman double: the builder writes a small ISO, or exits 1 when the test asks for a failure. */
function failablePodman(): Podman {
  const podman = stubPodman({}, 'ISO image bytes');
  return {
    ...podman,
    runContainer: async (args, o) => {
      if (!failNextBuild) return podman.runContainer(args, o);
      failNextBuild = false;
      o.onLine('error: manifest: cannot build');
      return { exitCode: 1, timedOut: false };
    },
  };
}

function request(): BuildRequestInput {
  return {
    source: `${REGISTRY}/os/demo:1`,
    builder: { name: 'standin', image: builders.standin.image },
    type: 'anaconda-iso',
    arch: 'x86_64',
    requester: { kind: 'cli', user: 'tester' },
    requestedAt: new Date().toISOString(),
  };
}

async function finished(job: Job | undefined): Promise<string> {
  const queue = queues.get('x86_64');
  for (const start = Date.now(); Date.now() - start < 30_000; ) {
    const state = await queue.getJobState(job?.id ?? '');
    if (state === 'completed' || state === 'failed') return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('job did not finish');
}

const base = () => `http://127.0.0.1:${ops.port}`;
const metrics = () => scrape(`${base()}/metrics`);

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3()]);
  dir = await mkdtemp(join(tmpdir(), 'worker-metrics-'));
  connection = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  queues = new BuildQueues(connection);
  const started = await startWorkerOps(
    {
      ops: { metrics: { host: '127.0.0.1', port: 0, required: true } },
      redis: { url: redis.url },
    },
    'x86_64',
    logger,
  );
  if (!started) throw new Error('the ops server did not start');
  ops = started;
  const processor = createBuildJobProcessor({
    config: {
      allowedRegistries: [REGISTRY],
      builders,
      registries: {},
      linkTtlSeconds: 600,
      workerName: 'metrics-host',
      worker: {
        ...DEFAULT_WORKER,
        warm: { intervalMinutes: 0 },
        concurrency: 1,
        workDir: join(dir, 'work'),
        containerStorage: dir,
        minFreeDiskGiB: 0,
        podman: 'podman',
        timeouts: { loginSeconds: 5, pullSeconds: 5, buildSeconds: 5, uploadSeconds: 5 },
        attempts: 1,
        backoffSeconds: 0,
      },
    },
    podman: failablePodman(),
    store: createS3Store({ ...s3, forcePathStyle: true }),
    logger,
  });
  worker = new Worker(buildQueueName('x86_64'), withBuildMetrics(processor, ops.metrics), {
    connection: new Redis(redis.url, { maxRetriesPerRequest: null }),
    prefix: QUEUE_PREFIX,
    autorun: false,
  });
});

afterAll(async () => {
  await worker?.close();
  await ops?.close();
  await queues?.close();
  connection?.disconnect();
  await Promise.all([redis?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a build worker's /metrics, /healthz and /readyz", () => {
  it('answers /healthz at once and /readyz only once its worker runs', async () => {
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
    const before = await fetch(`${base()}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ ok: false, worker: 'starting', redis: 'ready' });
    ops.attach(worker);
    void worker.run();
    await worker.waitUntilReady();
    for (let i = 0; i < 50 && !worker.isRunning(); i++) await new Promise((r) => setTimeout(r, 20));
    const after = await fetch(`${base()}/readyz`);
    expect(await after.json()).toEqual({
      ok: true,
      worker: 'running',
      redis: 'ready',
      hostChecks: 'running',
    });
    expect(after.status).toBe(200);
    // The doctor's verdict at start is shown, not judged: a failed check may concern some builds only.
    ops.reportHostChecks({ ok: 12, warn: 1, fail: 1, failing: ['loop device'] });
    const checked = await fetch(`${base()}/readyz`);
    expect(checked.status).toBe(200);
    expect(await checked.json()).toMatchObject({ hostChecks: '12 ok, 1 warn, 1 fail (loop device)' });
    expect((await fetch(`${base()}/nothing`)).status).toBe(404);
    expect((await fetch(`${base()}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('counts a successful build, its duration, its steps and the bytes uploaded', async () => {
    const labels = { outcome: 'succeeded', type: 'anaconda-iso', arch: 'x86_64' };
    const before = await metrics();
    expect(sampleValue(before, 'bootc_iso_builds_total', labels)).toBeUndefined();
    expect(sampleValue(before, 'bootc_iso_uploaded_bytes_total')).toBe(0);
    expect(sampleValue(before, 'process_cpu_user_seconds_total', { role: 'worker' })).toBeGreaterThan(0);

    const { buildId } = await enqueueBuild(queues, request(), policy, { attempts: 1, backoffSeconds: 0 });
    expect(await finished(await queues.get('x86_64').getJob(buildId))).toBe('completed');

    const after = await metrics();
    expect(sampleValue(after, 'bootc_iso_builds_total', labels)).toBe(1);
    expect(sampleValue(after, 'bootc_iso_build_duration_seconds_count', labels)).toBe(1);
    expect(sampleValue(after, 'bootc_iso_build_duration_seconds_sum', labels)).toBeGreaterThan(0);
    for (const step of ['preflight', 'login', 'pullBuilder', 'pullSource', 'build', 'upload']) {
      expect(sampleValue(after, 'bootc_iso_build_step_duration_seconds_count', { step }), step).toBe(1);
    }
    expect(sampleValue(after, 'bootc_iso_uploaded_bytes_total')).toBe(ISO_BYTES);
    expect(sampleValue(after, 'bootc_iso_builds_running')).toBe(0);
    expect(sampleValue(after, 'bootc_iso_queue_jobs', { queue: 'builds-x86_64', state: 'completed' })).toBe(
      1,
    );
    expect(sampleValue(after, 'bootc_iso_redis_up')).toBe(1);
  });

  it('counts an identical request answered from the earlier ISO as reused, uploading nothing', async () => {
    const { buildId } = await enqueueBuild(queues, request(), policy, { attempts: 1, backoffSeconds: 0 });
    expect(await finished(await queues.get('x86_64').getJob(buildId))).toBe('completed');
    const text = await metrics();
    const labels = { outcome: 'reused', type: 'anaconda-iso', arch: 'x86_64' };
    expect(sampleValue(text, 'bootc_iso_builds_total', labels)).toBe(1);
    expect(sampleValue(text, 'bootc_iso_builds_total', { ...labels, outcome: 'succeeded' })).toBe(1);
    expect(sampleValue(text, 'bootc_iso_uploaded_bytes_total')).toBe(ISO_BYTES);
  });

  it('counts a failed build by outcome and error code, and uploads nothing', async () => {
    failNextBuild = true;
    // A rebuild: the same request would otherwise be answered from the first build's ISO.
    const { buildId } = await enqueueBuild(queues, { ...request(), rebuild: true }, policy, {
      attempts: 1,
      backoffSeconds: 0,
    });
    expect(await finished(await queues.get('x86_64').getJob(buildId))).toBe('failed');
    const text = await metrics();
    const labels = { outcome: 'failed', type: 'anaconda-iso', arch: 'x86_64' };
    expect(sampleValue(text, 'bootc_iso_builds_total', labels)).toBe(1);
    expect(sampleValue(text, 'bootc_iso_build_failures_total', { code: 'BUILDER_FAILED' })).toBe(1);
    expect(sampleValue(text, 'bootc_iso_builds_total', { outcome: 'succeeded' })).toBe(1);
    expect(sampleValue(text, 'bootc_iso_uploaded_bytes_total')).toBe(ISO_BYTES);
    expect(sampleValue(text, 'bootc_iso_queue_jobs', { queue: 'builds-x86_64', state: 'failed' })).toBe(1);
    expect(sampleValue(text, 'bootc_iso_builds_total', { outcome: 'reused' })).toBe(1);
  });

  it('reports live workers and their build slots from the heartbeats', async () => {
    const info = {
      name: 'metrics-host',
      host: 'metrics-host',
      arch: 'x86_64' as const,
      concurrency: 2,
      running: [],
      disk: { workDirFreeGiB: 10, containerStorageFreeGiB: 10 },
      podmanVersion: '4.3.1',
      builderImages: [],
      startedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      version: '0.0.0',
    };
    await writeWorkerInfo(connection, info, 30_000);
    await writeWorkerInfo(connection, { ...info, name: 'other-host', concurrency: 1 }, 30_000);
    const text = await metrics();
    expect(sampleValue(text, 'bootc_iso_workers_live', { arch: 'x86_64' })).toBe(2);
    expect(sampleValue(text, 'bootc_iso_worker_slots', { arch: 'x86_64' })).toBe(3);
    expect(sampleValue(text, 'bootc_iso_workers_live', { arch: 'aarch64' })).toBeUndefined();
  });
});
