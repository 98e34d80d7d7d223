// Builds waiting for an identical build: what each waiter costs Redis and the Slack bots while it waits, and how
// soon the waiters are answered once the build they wait for ends. Used by the bench's "identical" section and by
// test/integration/identical-wait.test.ts, which holds the figures to their bounds.
import { setTimeout } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { BuildRequestInput } from '../../src/domain/build-request.ts';
import { BuildQueues, enqueueBuild } from '../../src/queue/build-producer.ts';
import { createIdenticalBuildClaims, wakeWaitingBuilds } from '../../src/queue/identical-build-claims.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { stubPodman } from '../../test/support/stub-podman.ts';
import type { S3Handle } from '../../test/testbed/index.ts';
import { createBuildJobProcessor } from '../../workers/process-build-job.ts';

const REGISTRY = 'registry.example.com';
const builders = { standin: { image: `${REGISTRY}/bib/standin:1` } };
const policy = { allowedRegistries: [REGISTRY], builders };
const QUEUE = buildQueueName('x86_64');
const LOCK_SECONDS = 30;

export interface IdenticalWaitSetup {
  redisUrl: string;
  s3: S3Handle;
  /** Scratch directory for the worker's work dir. */
  dir: string;
  waiters: number;
  windowMs: number;
}

export interface IdenticalWaitFigures {
  /** Redis commands per waiting build per 2 s (the idle rate before the waiters came is subtracted). */
  commands: number;
  /** Queue events about the waiters per waiting build per 2 s: each is work for every bot listening. */
  events: number;
  /** From the holder's builder finishing to every waiter completed. */
  answeredMs: number;
}

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
async function counters(admin: Redis): Promise<{ calls: number; at: number }> {
  const info = await admin.info('commandstats');
  const calls = [...info.matchAll(/calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  return { calls, at: Date.now() };
}

async function eventsAbout(admin: Redis, ids: string[], from: number, to: number): Promise<number> {
  const entries = await admin.xrange(`${QUEUE_PREFIX}:${QUEUE}:events`, String(from), String(to));
  return entries.filter(([, fields]) => ids.includes(fields[fields.indexOf('jobId') + 1] ?? '')).length;
}

/** A worker (concurrency 2) whose first build's builder runs until `finish()`; identical builds wait for it. */
function startFleet(setup: IdenticalWaitSetup, wake: boolean) {
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const connection = new Redis(setup.redisUrl, { maxRetriesPerRequest: null });
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
        workDir: `${setup.dir}/work-${wake ? 'woken' : 'polled'}`,
        containerStorage: setup.dir,
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
    store: createS3Store({ ...setup.s3, forcePathStyle: true }),
    logger: pino({ level: 'silent' }),
    // Today's wake-up at the release, or the design before it (still in the code): a look every 2 s.
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

/**
 * Runs one holder and `waiters` identical builds, with waiters woken at the release (`wake`) or looking every 2 s;
 * measures the wait over `windowMs`, then lets the holder finish and times the answer.
 */
export async function measureIdenticalWait(
  setup: IdenticalWaitSetup,
  wake: boolean,
  tag: string,
): Promise<IdenticalWaitFigures> {
  const admin = new Redis(setup.redisUrl);
  const queues = new BuildQueues(new Redis(setup.redisUrl, { maxRetriesPerRequest: null }));
  const stateOf = (id: string) => queues.get('x86_64').getJobState(id);
  const fleet = startFleet(setup, wake);
  try {
    const holder = await enqueueBuild(queues, request(tag), policy, { attempts: 1, backoffSeconds: 1 });
    while ((await stateOf(holder.buildId)) !== 'active') await setTimeout(50);
    await setTimeout(1000);
    const a0 = await counters(admin);
    await setTimeout(setup.windowMs);
    const a1 = await counters(admin);
    const waiters = [];
    for (let i = 0; i < setup.waiters; i += 1) {
      waiters.push(await enqueueBuild(queues, request(tag), policy, { attempts: 1, backoffSeconds: 1 }));
    }
    // Every waiter has looked, announced itself and gone to sleep.
    await setTimeout(3000);
    const b0 = await counters(admin);
    await setTimeout(setup.windowMs);
    const b1 = await counters(admin);
    const per2s = (n: number) => (n / setup.waiters / setup.windowMs) * 2000;
    const commands = per2s(b1.calls - b0.calls - (a1.calls - a0.calls));
    const ids = waiters.map((w) => w.buildId);
    const events = per2s(await eventsAbout(admin, ids, b0.at, b1.at));
    fleet.finish();
    const finishedAt = Date.now();
    for (const w of [holder, ...waiters]) {
      while ((await stateOf(w.buildId)) !== 'completed') await setTimeout(50);
    }
    return { commands, events, answeredMs: Date.now() - finishedAt };
  } finally {
    await fleet.close();
    await queues.close();
    queues.connection.disconnect();
    admin.disconnect();
  }
}
