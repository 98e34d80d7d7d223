import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { strandedArches, warnWhenNoWorker } from '../../src/cli/workers-command.ts';
import { Worker as WorkerSettings } from '../../src/config/file-schema.ts';
import type { BuildRequestInput } from '../../src/domain/build-request.ts';
import type { Capability } from '../../src/domain/capabilities.ts';
import { BuildQueues, enqueueBuild } from '../../src/queue/build-producer.ts';
import { findBuild } from '../../src/queue/find-build.ts';
import { routesServedBy } from '../../src/queue/names.ts';
import { listLiveWorkers, WORKERS_INDEX_KEY } from '../../src/queue/worker-registry.ts';
import { createLiveArchesCache } from '../../src/slack/background/live-arches-cache.ts';
import { noWorkerNote } from '../../src/slack/messages/workers-reply.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { BuildConsumers } from '../../workers/build-consumers.ts';
import { startHeartbeat, trackRunningBuilds } from '../../workers/heartbeat.ts';
import { createBuildJobProcessor } from '../../workers/process-build-job.ts';
import { stubPodman } from '../support/stub-podman.ts';
import { type RedisHandle, type S3Handle, startRedis, startS3 } from '../testbed/index.ts';

const RH = 'registry.redhat.io';
const OTHER = 'quay.io';
const builders = { rhel9: { image: `${RH}/rhel9/bootc-image-builder:9.7` } };
const presets = {
  // Inferred: a RHEL source from Red Hat's registry.
  rhel9: { image: `${RH}/rhel9/rhel-bootc:9.7`, builder: 'rhel9', description: '' },
  // Declared by the operator on a source the inference would not catch.
  mirrored: {
    image: `${OTHER}/mirror/rhel-bootc:9.7`,
    builder: 'rhel9',
    description: '',
    requires: ['rhel-entitlement'] as Capability[],
  },
  centos: { image: `${OTHER}/centos-bootc/centos-bootc:stream9`, builder: 'rhel9', description: '' },
};
const policy = { allowedRegistries: [RH, OTHER], builders, presets };
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
  timeoutMs = 20_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function request(preset: keyof typeof presets): BuildRequestInput {
  return {
    source: presets[preset].image,
    preset,
    builder: { name: 'rhel9', image: builders.rhel9.image },
    type: 'iso',
    arch: 'x86_64',
    requester: { kind: 'cli', user: 'tester' },
    requestedAt: new Date().toISOString(),
    // Every build runs the builder: the slot counts are seen from inside it.
    rebuild: true,
  };
}

/** Builds running at once on each host, at most, seen from inside the builder. */
const peak: Record<string, { now: number; max: number }> = {};

/** An x86_64 build host wired as startBuildWorker wires one, with the capabilities given. */
async function startHost(name: string, capabilities: Capability[], concurrency = 1) {
  peak[name] = { now: 0, max: 0 };
  const podman = stubPodman({
    runContainer: async (args, o) => {
      const p = peak[name] as { now: number; max: number };
      p.now += 1;
      p.max = Math.max(p.max, p.now);
      await sleep(150);
      p.now -= 1;
      return stubPodman().runContainer(args, o);
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
      concurrency,
      capabilities,
      timeouts: { loginSeconds: 5, pullSeconds: 5, buildSeconds: 5, uploadSeconds: 5 },
      attempts: 1,
      backoffSeconds: 0,
    }),
  };
  const store = createS3Store({ ...s3, forcePathStyle: true });
  const builds = trackRunningBuilds(createBuildJobProcessor({ config, podman, store, logger }));
  const workerConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const consumers = new BuildConsumers(routesServedBy('x86_64', capabilities), builds.processor, {
    connection: workerConnection,
    concurrency,
  });
  const heartbeat = await startHeartbeat(
    workerConnection,
    {
      config,
      arch: 'x86_64',
      podman: { version: podman.version, listImages: async () => [] },
      running: builds.running,
      capabilities,
    },
    logger,
  );
  const stop = async () => {
    await heartbeat.stop();
    await consumers.close();
    workerConnection.disconnect();
  };
  cleanups.push(stop);
  return { consumers, stop };
}

async function finished(buildId: string): Promise<Job> {
  return waitUntil(`build ${buildId}`, async () => {
    const found = await findBuild(queues, buildId);
    return found && (found.state === 'completed' || found.state === 'failed') ? found.job : undefined;
  });
}

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3()]);
  dir = await mkdtemp(join(tmpdir(), 'capability-routing-'));
  connection = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  queues = new BuildQueues(connection);
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  for (const queue of queues.all()) await queue.obliterate({ force: true });
  await connection.del(WORKERS_INDEX_KEY);
});

afterAll(async () => {
  await queues?.close();
  connection?.disconnect();
  await Promise.all([redis?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('builds that need an entitled host', () => {
  it('run only on the entitled host of two; the others run on both; a host never runs more than its slots', async () => {
    await startHost('plain', []);
    await startHost('entitled', ['rhel-entitlement']);
    const workers = await listLiveWorkers(connection);
    expect(workers.map((w) => [w.name, w.capabilities])).toEqual([
      ['entitled', ['rhel-entitlement']],
      ['plain', []],
    ]);
    const rhel: string[] = [];
    const other: string[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await enqueueBuild(queues, request(i % 2 ? 'mirrored' : 'rhel9'), policy, retry);
      expect(a.requires).toEqual(['rhel-entitlement']);
      rhel.push(a.buildId);
      const b = await enqueueBuild(queues, request('centos'), policy, retry);
      expect(b.requires).toEqual([]);
      other.push(b.buildId);
    }
    const hostOf = async (id: string) => {
      const job = await finished(id);
      expect(await job.getState()).toBe('completed');
      return job.returnvalue.workerHost as string;
    };
    const rhelHosts = await Promise.all(rhel.map(hostOf));
    const otherHosts = await Promise.all(other.map(hostOf));
    expect(rhelHosts).toEqual(['entitled', 'entitled', 'entitled', 'entitled']);
    expect(otherHosts).toContain('plain');
    expect(peak.entitled?.max).toBe(1);
    expect(peak.plain?.max).toBe(1);
  });

  it('wait with a note when no entitled host is live, while other builds still run', async () => {
    const entitled = await startHost('entitled', ['rhel-entitlement']);
    await startHost('plain', []);
    await entitled.stop();
    const { buildId: waiting, requires } = await enqueueBuild(queues, request('rhel9'), policy, retry);
    const { buildId: runs } = await enqueueBuild(queues, request('centos'), policy, retry);
    expect((await finished(runs)).returnvalue.workerHost).toBe('plain');
    await sleep(500);
    const found = await findBuild(queues, waiting);
    expect(found?.state).toBe('waiting');
    expect(found?.queue.name).toBe('builds-x86_64-rhel-entitlement');

    // The CLI warns as it does for a missing arch; `bootc-iso workers` names the stranded queue.
    const err: string[] = [];
    await warnWhenNoWorker(
      connection,
      'x86_64',
      { write: (t: string) => err.push(t) },
      { detached: true, requires },
    );
    expect(err.join('')).toMatch(
      /no build worker for x86_64 with rhel-entitlement .* is online; the build waits/,
    );
    const live = await listLiveWorkers(connection);
    expect(await strandedArches(queues, live)).toEqual([
      { arch: 'x86_64', requires: ['rhel-entitlement'], waiting: 1 },
    ]);
    // Slack: the live-arch reader says no x86_64 host offers it, so the build's thread gets the note.
    const liveArches = createLiveArchesCache(connection);
    expect(await liveArches(2000)).toEqual(['x86_64']);
    expect(await liveArches(2000, requires)).toEqual([]);
    expect(noWorkerNote('x86_64', requires).text).toContain('*rhel-entitlement*');

    // An entitled host comes up: the build that waited runs on it.
    await startHost('entitled-2', ['rhel-entitlement']);
    expect((await finished(waiting)).returnvalue.workerHost).toBe('entitled-2');
  });

  it('share one host’s slots between its two queues: never more builds at once than worker.concurrency', async () => {
    await startHost('entitled', ['rhel-entitlement'], 2);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await enqueueBuild(queues, request('rhel9'), policy, retry)).buildId);
      ids.push((await enqueueBuild(queues, request('centos'), policy, retry)).buildId);
    }
    for (const id of ids) expect(await (await finished(id)).getState()).toBe('completed');
    expect(peak.entitled?.max).toBe(2);
  });
});
