import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Worker as WorkerSettings } from '../../src/config/file-schema.ts';
import { newBuildId } from '../../src/domain/build-id.ts';
import type { BuildRequestInput } from '../../src/domain/build-request.ts';
import { BuildQueues, enqueueBuild } from '../../src/queue/build-producer.ts';
import { cancelMarkKey, cancelRequestedBy } from '../../src/queue/cancel-requests.ts';
import { findBuild } from '../../src/queue/find-build.ts';
import { preferenceKey } from '../../src/queue/host-preference.ts';
import { routesServedBy } from '../../src/queue/names.ts';
import { listLiveWorkers, WORKERS_INDEX_KEY } from '../../src/queue/worker-registry.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { BuildConsumers } from '../../workers/build-consumers.ts';
import { startHeartbeat, trackRunningBuilds } from '../../workers/heartbeat.ts';
import { withHostPreference } from '../../workers/prefer-host.ts';
import { createBuildJobProcessor } from '../../workers/process-build-job.ts';
import { stubPodman } from '../support/stub-podman.ts';
import { type RedisHandle, type S3Handle, startRedis, startS3 } from '../testbed/index.ts';

const REG = 'registry.example.com';
const builders = { b: { image: `${REG}/bib/builder:1` } };
const IMAGE = { a: `${REG}/os/a:1`, b: `${REG}/os/b:1` } as const;
const presets = {
  a: { image: IMAGE.a, builder: 'b', description: '' },
  b: { image: IMAGE.b, builder: 'b', description: '' },
};
const policy = { allowedRegistries: [REG], builders, presets };
const retry = { attempts: 1, backoffSeconds: 0 };
const logger = pino({ level: 'silent' });
/** The window of these tests: short, so the bound is measured in seconds. */
const WINDOW_S = 3;
const routing = { preferWarmHosts: true, preferSeconds: WINDOW_S };

let redis: RedisHandle;
let s3: S3Handle;
let dir: string;
let connection: Redis;
let queues: BuildQueues;
const cleanups: (() => Promise<unknown>)[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000) {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

function request(preset: keyof typeof presets): BuildRequestInput {
  return {
    source: presets[preset].image,
    preset,
    builder: { name: 'b', image: builders.b.image },
    type: 'iso',
    arch: 'x86_64',
    requester: { kind: 'cli', user: 'tester' },
    requestedAt: new Date().toISOString(),
    rebuild: true,
  };
}

/**
 * An x86_64 host wired as startBuildWorker wires one (heartbeat written when a build starts or ends, the preference
 * check outermost), with a podman double whose storage starts with `holds` and keeps what its builds pull.
 */
async function startHost(name: string, holds: string[], o: { buildMs?: number } = {}) {
  const images = new Set([...holds, builders.b.image]);
  const pulls: string[] = [];
  let release: (() => void) | undefined;
  const podman = stubPodman({
    pull: async (p) => {
      if (!images.has(p.ref)) pulls.push(p.ref);
      images.add(p.ref);
    },
    runContainer: async (args, run) => {
      if (release === undefined) await sleep(o.buildMs ?? 100);
      else await new Promise<void>((r) => (release = r));
      return stubPodman().runContainer(args, run);
    },
  });
  const config = {
    allowedRegistries: policy.allowedRegistries,
    builders,
    registries: {},
    linkTtlSeconds: 600,
    workerName: name,
    worker: WorkerSettings.parse({
      workDir: join(dir, name),
      containerStorage: dir,
      minFreeDiskGiB: 0,
      concurrency: 1,
      timeouts: { loginSeconds: 5, pullSeconds: 5, buildSeconds: 30, uploadSeconds: 5 },
      attempts: 1,
      backoffSeconds: 0,
    }),
  };
  const store = createS3Store({ ...s3, forcePathStyle: true });
  const workerConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  let beatNow = () => {};
  const builds = trackRunningBuilds(
    createBuildJobProcessor({
      config,
      podman,
      store,
      logger,
      cancelledBy: (id) => cancelRequestedBy(workerConnection, id),
    }),
    () => beatNow(),
  );
  const preferring = withHostPreference(builds.processor, { redis: workerConnection, host: name, logger });
  // Activations less builds run: the builds this host handed back.
  let activations = 0;
  const processor: typeof preferring = (job, token, signal) => {
    activations += 1;
    return preferring(job, token, signal);
  };
  const consumers = new BuildConsumers(routesServedBy('x86_64', []), processor, {
    connection: workerConnection,
    concurrency: 1,
  });
  const heartbeat = await startHeartbeat(
    workerConnection,
    {
      config,
      arch: 'x86_64',
      podman: {
        version: podman.version,
        listImages: async () =>
          [...images].map((ref, i) => ({
            id: `${i}`,
            names: [ref],
            digests: [],
            containers: 0,
            createdMs: 0,
          })),
      },
      running: builds.running,
      ended: builds.ended,
    },
    logger,
  );
  beatNow = () => void heartbeat.beat();
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= consumers.close();
    return closed;
  };
  const stop = async () => {
    await heartbeat.stop();
    await close();
    workerConnection.disconnect();
  };
  cleanups.push(stop);
  return {
    pulls,
    stop,
    handBacks: () => activations - builds.ended(),
    /** From now on builder runs wait for release(). */
    hold: () => {
      release = () => {};
    },
    release: () => {
      const r = release;
      release = undefined;
      r?.();
    },
    /** A host that stopped taking builds while its heartbeat still says it is live and idle (a hung or dying host). */
    hang: close,
    drain: () => heartbeat.drain(),
  };
}

async function finished(buildId: string): Promise<Job> {
  return waitUntil(`build ${buildId}`, async () => {
    const found = await findBuild(queues, buildId);
    return found && (found.state === 'completed' || found.state === 'failed') ? found.job : undefined;
  });
}

async function hostOf(buildId: string): Promise<string> {
  const job = await finished(buildId);
  expect(await job.getState()).toBe('completed');
  return job.returnvalue.workerHost as string;
}

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3()]);
  dir = await mkdtemp(join(tmpdir(), 'warm-routing-'));
  connection = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  queues = new BuildQueues(connection);
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  for (const queue of queues.all()) await queue.obliterate({ force: true });
  await connection.del(WORKERS_INDEX_KEY);
  // Preferences outlive their builds for at most the window; the next test must not see them.
  const left = await connection.keys(preferenceKey('*'));
  if (left.length) await connection.del(...left);
});

afterAll(async () => {
  await queues?.close();
  connection?.disconnect();
  await Promise.all([redis?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('warmth-aware routing between two hosts', () => {
  /**
   * Runs `sequence` one build at a time, each queued once both hosts' heartbeats say they are idle (on a loaded
   * machine a fixed pace would sometimes find the holder still busy, and a busy holder is rightly not waited for).
   */
  async function runSequence(sequence: string, settings: typeof routing) {
    const where: Record<keyof typeof presets, Record<string, number>> = { a: {}, b: {} };
    for (const preset of sequence.split('') as (keyof typeof presets)[]) {
      await waitUntil('both hosts idle', async () => {
        const live = await listLiveWorkers(connection);
        return live.length === 2 && live.every((w) => w.running.length === 0) ? true : undefined;
      });
      const { buildId } = await enqueueBuild(queues, request(preset), policy, retry, { routing: settings });
      const host = await hostOf(buildId);
      where[preset][host] = (where[preset][host] ?? 0) + 1;
    }
    return where;
  }
  // Runs of one image in a row: a host free first is often the one that lacks the image.
  const SEQUENCE = 'aabbbabaaabb';

  it('sends builds of each image to the host that holds it, so neither host pulls the other image', async () => {
    const one = await startHost('host-a', [IMAGE.a]);
    const two = await startHost('host-b', [IMAGE.b]);
    const where = await runSequence(SEQUENCE, routing);
    console.log(
      `warm routing on: builds of a ran on ${JSON.stringify(where.a)}, of b on ${JSON.stringify(where.b)}; ` +
        `hand-backs: host-a ${one.handBacks()}, host-b ${two.handBacks()}`,
    );
    expect(where).toEqual({ a: { 'host-a': 6 }, b: { 'host-b': 6 } });
    expect([one.pulls, two.pulls]).toEqual([[], []]);
  });

  it('runs a build at once on the other host when the holder is busy', async () => {
    const one = await startHost('host-a', [IMAGE.a]);
    const two = await startHost('host-b', [IMAGE.b]);
    one.hold();
    const { buildId: long } = await enqueueBuild(queues, request('a'), policy, retry, { routing });
    await waitUntil('host-a busy', async () =>
      (await listLiveWorkers(connection)).find((w) => w.name === 'host-a')?.running.length ? true : undefined,
    );
    const t0 = Date.now();
    const { buildId, preferred } = await enqueueBuild(queues, request('a'), policy, retry, { routing });
    expect(preferred).toBeUndefined();
    expect(await hostOf(buildId)).toBe('host-b');
    const ms = Date.now() - t0;
    console.log(`warm routing: holder busy, build ran on the other host ${ms} ms after it was queued`);
    expect(ms).toBeLessThan(WINDOW_S * 1000);
    expect(two.pulls).toEqual([IMAGE.a]);
    one.release();
    expect(await hostOf(long)).toBe('host-a');
  });

  it('runs a build on the other host within the window when the host it was sent to takes nothing', async () => {
    const one = await startHost('host-a', [IMAGE.a]);
    await startHost('host-b', [IMAGE.b]);
    await one.hang();
    const t0 = Date.now();
    const { buildId, preferred } = await enqueueBuild(queues, request('a'), policy, retry, { routing });
    // Its heartbeat goes on: the producer sees it live and idle.
    expect(preferred?.host).toBe('host-a');
    expect(await connection.exists(preferenceKey(buildId))).toBe(1);
    expect(await hostOf(buildId)).toBe('host-b');
    const ms = Date.now() - t0;
    console.log(`warm routing: holder dead, build ran on the other host ${ms} ms after it was queued`);
    expect(ms).toBeGreaterThanOrEqual(WINDOW_S * 1000 - 50);
    expect(ms).toBeLessThan(WINDOW_S * 1000 + 2000);
    const job = await finished(buildId);
    expect(job.attemptsMade).toBe(1);
  });

  it('never holds a build back for a draining host, nor one that someone cancelled', async () => {
    const one = await startHost('host-a', [IMAGE.a]);
    await startHost('host-b', [IMAGE.b]);
    await one.hang();
    // Cancelled before any host took it: the preference is written, the build fails as cancelled at once.
    const cancelled = newBuildId();
    await connection.set(cancelMarkKey(cancelled), 'tester');
    const t0 = Date.now();
    const { preferred } = await enqueueBuild(queues, request('a'), policy, retry, {
      routing,
      buildId: cancelled,
    });
    expect(preferred?.host).toBe('host-a');
    const job = await finished(cancelled);
    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toContain('cancelled by tester');
    const cancelMs = Date.now() - t0;

    // A preference for a host that has begun draining since (the producer would not choose it) is not waited for.
    await one.drain();
    const t1 = Date.now();
    const { buildId } = await enqueueBuild(queues, request('a'), policy, retry);
    await connection.set(
      preferenceKey(buildId),
      JSON.stringify({ host: 'host-a', until: Date.now() + WINDOW_S * 1000 }),
      'PX',
      WINDOW_S * 1000,
    );
    expect(await hostOf(buildId)).toBe('host-b');
    const drainMs = Date.now() - t1;
    console.log(
      `warm routing: cancelled build ended after ${cancelMs} ms, build for a draining host ran after ${drainMs} ms`,
    );
    expect(cancelMs).toBeLessThan(WINDOW_S * 1000);
    expect(drainMs).toBeLessThan(WINDOW_S * 1000);
  });

  it('ignores warmth with the switch off: builds go to whichever host is free first', async () => {
    const one = await startHost('host-a', [IMAGE.a]);
    const two = await startHost('host-b', [IMAGE.b]);
    const off = { preferWarmHosts: false, preferSeconds: WINDOW_S };
    const where = await runSequence(SEQUENCE, off);
    console.log(
      `warm routing off: builds of a ran on ${JSON.stringify(where.a)}, of b on ${JSON.stringify(where.b)}; ` +
        `pulls: host-a ${one.pulls.length}, host-b ${two.pulls.length}`,
    );
    expect(await connection.keys(preferenceKey('*'))).toEqual([]);
    expect([one.handBacks(), two.handBacks()]).toEqual([0, 0]);
    expect(Object.values(where.a).reduce((n, m) => n + m, 0)).toBe(6);
  });
});
