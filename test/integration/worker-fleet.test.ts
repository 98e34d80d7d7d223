import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Worker as WorkerSettings } from '../../src/config/file-schema.ts';
import type { Arch, BuildRequestInput } from '../../src/domain/build-request.ts';
import { BuildQueues, enqueueBuild } from '../../src/queue/build-producer.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { BUILD_WORKER_SETTINGS } from '../../src/queue/retry-backoff.ts';
import {
  listLiveWorkers,
  liveArches,
  liveArchesWithin,
  WORKERS_INDEX_KEY,
  workerKey,
} from '../../src/queue/worker-registry.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { startHeartbeat, trackRunningBuilds } from '../../workers/heartbeat.ts';
import { OCI_ARCH } from '../../workers/pipeline/steps/check-source.ts';
import { createBuildJobProcessor } from '../../workers/process-build-job.ts';
import { collectLines, startTsx } from '../support/run-process.ts';
import { stubPodman } from '../support/stub-podman.ts';
import { type RedisHandle, type S3Handle, startRedis, startS3 } from '../testbed/index.ts';

const REGISTRY = 'registry.example.com';
const builders = { standin: { image: `${REGISTRY}/bib/standin:1` } };
const policy = { allowedRegistries: [REGISTRY], builders };
const retry = { attempts: 1, backoffSeconds: 0 };
const logger = pino({ level: 'silent' });

let redis: RedisHandle;
let s3: S3Handle;
let dir: string;
let connection: Redis;
let queues: BuildQueues;
const cleanups: (() => Promise<unknown>)[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function request(arch: Arch): BuildRequestInput {
  return {
    source: `${REGISTRY}/os/demo:1`,
    builder: { name: 'standin', image: builders.standin.image },
    type: 'anaconda-iso',
    arch,
    requester: { kind: 'cli', user: 'tester' },
    requestedAt: new Date().toISOString(),
  };
}

/** A build host for one arch, wired like startBuildWorker: a BullMQ worker on its arch queue plus a heartbeat. */
async function startHost(name: string, arch: Arch) {
  // A podman double (the code under test is routing, not podman) whose images are of this host's arch.
  const podman = stubPodman({
    inspectImage: async () => ({
      digest: `sha256:${'a'.repeat(64)}`,
      architecture: OCI_ARCH[arch],
      labels: { 'containers.bootc': '1' },
    }),
  });
  const config = {
    allowedRegistries: [REGISTRY],
    builders,
    registries: {},
    linkTtlSeconds: 600,
    workerName: name,
    // The schema fills in every worker setting not named here, so new settings need no change in this test.
    worker: WorkerSettings.parse({
      workDir: join(dir, name),
      containerStorage: dir,
      minFreeDiskGiB: 0,
      timeouts: { loginSeconds: 5, pullSeconds: 5, buildSeconds: 5, uploadSeconds: 5 },
      attempts: 1,
      backoffSeconds: 0,
    }),
  };
  const store = createS3Store({ ...s3, forcePathStyle: true });
  const builds = trackRunningBuilds(createBuildJobProcessor({ config, podman, store, logger }));
  const workerConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const worker = new Worker(buildQueueName(arch), builds.processor, {
    connection: workerConnection,
    prefix: QUEUE_PREFIX,
    settings: BUILD_WORKER_SETTINGS,
  });
  const heartbeat = await startHeartbeat(
    workerConnection,
    {
      config,
      arch,
      podman: { version: podman.version, listImages: async () => [] },
      running: builds.running,
    },
    logger,
  );
  cleanups.push(async () => {
    await heartbeat.stop();
    await worker.close();
    workerConnection.disconnect();
  });
  return { worker, heartbeat };
}

async function finished(arch: Arch, buildId: string): Promise<Job> {
  return waitUntil(`build ${buildId}`, async () => {
    const state = await queues.get(arch).getJobState(buildId);
    return state === 'completed' || state === 'failed' ? queues.get(arch).getJob(buildId) : undefined;
  });
}

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3()]);
  dir = await mkdtemp(join(tmpdir(), 'worker-fleet-'));
  connection = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  queues = new BuildQueues(connection);
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  for (const arch of ['x86_64', 'aarch64'] as const) await queues.get(arch).obliterate({ force: true });
  await connection.del(WORKERS_INDEX_KEY);
});

afterAll(async () => {
  await queues?.close();
  connection?.disconnect();
  await Promise.all([redis?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('worker heartbeats in real Redis', () => {
  it('lists a live worker with what it reports, then drops it when it is killed without cleaning up', async () => {
    const child = startTsx('test/support/heartbeat-child.ts', {
      HB_REDIS_URL: redis.url,
      HB_NAME: 'crashy',
      HB_ARCH: 'aarch64',
      HB_TTL_MS: '1500',
      HB_INTERVAL_MS: '300',
    });
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await child.catch(() => undefined);
    });
    await collectLines(child).waitFor(/beating/, 30_000);

    const [live] = await listLiveWorkers(connection);
    expect(live).toMatchObject({
      name: 'crashy',
      arch: 'aarch64',
      concurrency: 1,
      running: [],
      podmanVersion: '4.3.1',
      builderImages: [],
    });
    expect(live?.disk.workDirFreeGiB).toBeGreaterThan(0);
    expect(Date.parse(live?.updatedAt ?? '')).toBeGreaterThan(Date.now() - 5000);
    expect(await liveArches(connection)).toEqual(['aarch64']);
    const ttl = await connection.pttl(workerKey('crashy'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1500);

    // Beats keep the key alive well past one TTL.
    await sleep(2000);
    expect(await connection.exists(workerKey('crashy'))).toBe(1);

    child.kill('SIGKILL');
    await child.catch(() => undefined);
    const killedAt = Date.now();
    expect(await connection.exists(workerKey('crashy'))).toBe(1);
    await waitUntil('the key to expire', async () =>
      (await connection.exists(workerKey('crashy'))) === 0 ? true : undefined,
    );
    const gone = Date.now() - killedAt;
    console.log(`heartbeat: key of a killed worker expired ${gone} ms after the kill (TTL 1500 ms)`);
    expect(gone).toBeLessThan(3000);
    expect(await listLiveWorkers(connection)).toEqual([]);
    expect(await liveArches(connection)).toEqual([]);
  });

  it('deletes the key at once on a clean stop', async () => {
    const { heartbeat } = await startHost('tidy', 'x86_64');
    expect((await listLiveWorkers(connection)).map((w) => w.name)).toEqual(['tidy']);
    await heartbeat.stop();
    expect(await connection.exists(workerKey('tidy'))).toBe(0);
    expect(await connection.zscore(WORKERS_INDEX_KEY, 'tidy')).toBeNull();
    expect(await listLiveWorkers(connection)).toEqual([]);
  });

  it('ignores index entries whose key has gone and keys that are not valid heartbeats', async () => {
    await connection.zadd(WORKERS_INDEX_KEY, Date.now() + 60_000, 'ghost', Date.now() + 60_000, 'junk');
    await connection.set(workerKey('junk'), '{"name": 1}', 'PX', 60_000);
    expect(await listLiveWorkers(connection)).toEqual([]);
  });

  it('gives up on a slow lookup within its deadline', async () => {
    const dead = new Redis('redis://127.0.0.1:9', { maxRetriesPerRequest: null, lazyConnect: true });
    dead.on('error', () => undefined);
    const start = Date.now();
    expect(await liveArchesWithin(dead, 200)).toBeUndefined();
    expect(Date.now() - start).toBeLessThan(1000);
    dead.disconnect();
  });
});

describe('routing builds by architecture across two workers', () => {
  it('runs each build on the worker of its arch only', async () => {
    const x86 = await startHost('host-x86', 'x86_64');
    const arm = await startHost('host-arm', 'aarch64');
    const ran: Record<string, string[]> = { 'host-x86': [], 'host-arm': [] };
    x86.worker.on('active', (job) => ran['host-x86']?.push(job.id ?? ''));
    arm.worker.on('active', (job) => ran['host-arm']?.push(job.id ?? ''));
    expect(await liveArches(connection)).toEqual(['x86_64', 'aarch64']);

    const ids: { arch: Arch; buildId: string }[] = [];
    for (const arch of ['aarch64', 'x86_64', 'aarch64', 'x86_64', 'aarch64'] as const) {
      const { buildId } = await enqueueBuild(queues, request(arch), policy, retry);
      ids.push({ arch, buildId });
    }
    for (const { arch, buildId } of ids) {
      const job = await finished(arch, buildId);
      expect(await job.getState(), job.failedReason).toBe('completed');
      expect(job.returnvalue.workerHost).toBe(arch === 'x86_64' ? 'host-x86' : 'host-arm');
    }
    const byArch = (arch: Arch) => ids.filter((i) => i.arch === arch).map((i) => i.buildId);
    expect(ran['host-x86']?.sort()).toEqual(byArch('x86_64').sort());
    expect(ran['host-arm']?.sort()).toEqual(byArch('aarch64').sort());
  });

  it('leaves a build for an arch without a worker waiting, while the others run', async () => {
    await startHost('host-x86', 'x86_64');
    const { buildId: waiting } = await enqueueBuild(queues, request('aarch64'), policy, retry);
    const { buildId: runs } = await enqueueBuild(queues, request('x86_64'), policy, retry);
    expect(await (await finished('x86_64', runs)).getState()).toBe('completed');
    expect(await queues.get('aarch64').getJobState(waiting)).toBe('waiting');
    expect(await liveArches(connection)).toEqual(['x86_64']);
  });

  it('shows a running build in its worker’s heartbeat', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const builds = trackRunningBuilds(async () => {
      await gate;
      return 'done';
    });
    const workerConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const worker = new Worker(buildQueueName('x86_64'), builds.processor, {
      connection: workerConnection,
      prefix: QUEUE_PREFIX,
      settings: BUILD_WORKER_SETTINGS,
    });
    const heartbeat = await startHeartbeat(
      workerConnection,
      {
        config: {
          workerName: 'busy',
          builders,
          worker: { concurrency: 1, workDir: dir, containerStorage: dir },
        },
        arch: 'x86_64',
        podman: { version: async () => '4.3.1', listImages: async () => [] },
        running: builds.running,
      },
      logger,
      { intervalMs: 100 },
    );
    cleanups.push(async () => {
      release();
      await heartbeat.stop();
      await worker.close();
      workerConnection.disconnect();
    });
    const { buildId } = await enqueueBuild(queues, request('x86_64'), policy, retry);
    const seen = await waitUntil('the build in the heartbeat', async () => {
      const [w] = await listLiveWorkers(connection);
      return w?.running.includes(buildId) ? w : undefined;
    });
    expect(seen.running).toEqual([buildId]);
    release();
    await waitUntil('an idle heartbeat', async () => {
      const [w] = await listLiveWorkers(connection);
      return w && w.running.length === 0 ? true : undefined;
    });
  });
});
