import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRequestInput } from '../../src/domain/build-request.ts';
import { BuildQueues, enqueueBuild } from '../../src/queue/build-producer.ts';
import { createIdenticalBuildClaims, wakeWaitingBuilds } from '../../src/queue/identical-build-claims.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { createBuildJobProcessor } from '../../workers/process-build-job.ts';
import { stubPodman } from '../support/stub-podman.ts';
import { type RedisHandle, type S3Handle, startRedis, startS3 } from '../testbed/index.ts';

const REGISTRY = 'registry.example.com';
const builders = { standin: { image: `${REGISTRY}/bib/standin:1` } };
const policy = { allowedRegistries: [REGISTRY], builders };
const QUEUE = buildQueueName('x86_64');
const WAITERS = 5;
const WINDOW_MS = 10_000;
const LOCK_SECONDS = 30;

let redis: RedisHandle;
let s3: S3Handle;
let dir: string;
let admin: Redis;
let queues: BuildQueues;

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3()]);
  dir = await mkdtemp(join(tmpdir(), 'identical-wait-'));
  admin = new Redis(redis.url);
  queues = new BuildQueues(new Redis(redis.url, { maxRetriesPerRequest: null }));
});

afterAll(async () => {
  await queues?.close();
  queues?.connection.disconnect();
  admin?.disconnect();
  await Promise.all([redis?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function request(tag: string): BuildRequestInput {
  return {
    source: `${REGISTRY}/os/demo:${tag}`,
    builder: { name: 'standin', image: builders.standin.image },
    type: 'iso',
    arch: 'x86_64',
    requester: { kind: 'cli', user: 'tester' },
    requestedAt: new Date().toISOString(),
  };
}

/** Every command Redis has run so far (INFO commandstats), and when. */
async function counters(): Promise<{ calls: number; at: number }> {
  const info = await admin.info('commandstats');
  const calls = [...info.matchAll(/calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  return { calls, at: Date.now() };
}

/** Queue events about `ids` between two times: each is work for every bot listening (Slack updates). */
async function eventsAbout(ids: string[], from: number, to: number): Promise<number> {
  const entries = await admin.xrange(`${QUEUE_PREFIX}:${QUEUE}:events`, String(from), String(to));
  return entries.filter(([, fields]) => ids.includes(fields[fields.indexOf('jobId') + 1] ?? '')).length;
}

/** A worker (concurrency 2) whose first build's builder runs until `finish()`; identical builds wait for it. */
function startFleet(wake: boolean) {
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const base = stubPodman();
  const podman = stubPodman({
    runContainer: async (args, o) => {
      await finished;
      return base.runContainer(args, o);
    },
  });
  const wakeQueue = new Queue(QUEUE, { connection, prefix: QUEUE_PREFIX });
  const processor = createBuildJobProcessor({
    config: {
      allowedRegistries: [REGISTRY],
      builders,
      registries: {},
      linkTtlSeconds: 600,
      workerName: 'wait-host',
      worker: {
        concurrency: 2,
        workDir: join(dir, 'work'),
        containerStorage: dir,
        minFreeDiskGiB: 0,
        podman: 'podman',
        timeouts: { loginSeconds: 5, pullSeconds: 5, buildSeconds: 60, uploadSeconds: 5 },
        derive: { network: 'none', timeoutSeconds: 60 },
        warm: { intervalMinutes: 0 },
        attempts: 1,
        backoffSeconds: 1,
        lockSeconds: LOCK_SECONDS,
        shutdownGraceSeconds: 0,
      },
    },
    podman,
    store: createS3Store({ ...s3, forcePathStyle: true }),
    logger: pino({ level: 'silent' }),
    // Today's wake-up at the release, or the earlier look every 2 s.
    claims: createIdenticalBuildClaims(
      connection,
      LOCK_SECONDS * 1000,
      wake ? wakeWaitingBuilds(wakeQueue) : undefined,
    ),
    ...(wake ? { identicalWaitMs: LOCK_SECONDS * 1000 } : {}),
  });
  const worker = new Worker(QUEUE, processor, {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency: 2,
    lockDuration: LOCK_SECONDS * 1000,
  });
  return {
    finish,
    async close() {
      await worker.close();
      await wakeQueue.close();
      connection.disconnect();
    },
  };
}

async function stateOf(id: string) {
  return queues.get('x86_64').getJobState(id);
}

/** Runs one holder and WAITERS identical builds; measures the wait, then lets the holder finish. */
async function measure(wake: boolean, tag: string) {
  const fleet = startFleet(wake);
  try {
    const holder = await enqueueBuild(queues, request(tag), policy, { attempts: 1, backoffSeconds: 1 });
    while ((await stateOf(holder.buildId)) !== 'active') await setTimeout(50);
    await setTimeout(1000);
    const a0 = await counters();
    await setTimeout(WINDOW_MS);
    const a1 = await counters();
    const waiters = [];
    for (let i = 0; i < WAITERS; i += 1) {
      waiters.push(await enqueueBuild(queues, request(tag), policy, { attempts: 1, backoffSeconds: 1 }));
    }
    // Every waiter has looked, announced itself and gone to sleep.
    await setTimeout(3000);
    const b0 = await counters();
    await setTimeout(WINDOW_MS);
    const b1 = await counters();
    const per2s = (n: number) => (n / WAITERS / WINDOW_MS) * 2000;
    const commands = per2s(b1.calls - b0.calls - (a1.calls - a0.calls));
    const ids = waiters.map((w) => w.buildId);
    const events = per2s(await eventsAbout(ids, b0.at, b1.at));
    fleet.finish();
    const finishedAt = Date.now();
    for (const w of [holder, ...waiters]) {
      while ((await stateOf(w.buildId)) !== 'completed') await setTimeout(50);
    }
    return { commands, events, answeredMs: Date.now() - finishedAt };
  } finally {
    await fleet.close();
  }
}

describe('builds waiting for an identical build', () => {
  it('cost at most one Redis command per waiting build per 2 s and no events, and wake at the release', async () => {
    const before = await measure(false, 'polled');
    const after = await measure(true, 'woken');
    console.log(
      `identical wait: per waiting build per 2 s, looking every 2 s: ${before.commands.toFixed(1)} Redis commands, ` +
        `${before.events.toFixed(2)} queue events; woken by the release: ${after.commands.toFixed(2)} commands, ` +
        `${after.events.toFixed(2)} events; ${WAITERS} waiters answered ${after.answeredMs} ms after the holder's ` +
        `builder finished (looking every 2 s: ${before.answeredMs} ms)`,
    );
    expect(after.commands).toBeLessThanOrEqual(1);
    expect(after.events).toBe(0);
    expect(before.commands).toBeGreaterThan(after.commands);
    expect(after.answeredMs).toBeLessThan(10_000);
  });
});
