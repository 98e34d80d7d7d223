// Bytes pulled by builds of two presets over two workers, with warmth-aware routing (routing.preferWarmHosts) and
// with routing that ignores warmth (the switch off), in the same run. Each mode gets fresh podman storages: worker 1
// holds preset a's source image, worker 2 preset b's (both hold the builder), as after their warm-up. The same seeded
// sequence of builds is queued through enqueueBuild, paced; each worker is wired as startBuildWorker wires one
// (BuildConsumers, the hand-back wrapper, a heartbeat with its real podman image list, written when a build starts or
// ends), and its build is the real pull step into its own storage followed by a pause standing in for the builder.
// Bytes pulled: what the registry sent, counted by a TCP proxy in front of it that every pull goes through (the
// hosts' first pulls, which leave them holding their image, are not counted).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { hostArch } from '../../src/domain/host-arch.ts';
import { BuildQueues, enqueueBuild } from '../../src/queue/build-producer.ts';
import { WORKERS_INDEX_KEY } from '../../src/queue/worker-registry.ts';
import {
  buildSourceImage,
  createPodmanEnv,
  type PodmanEnv,
  pushImage,
  startRedis,
  startRegistry,
} from '../../test/testbed/index.ts';
import { BuildConsumers } from '../../workers/build-consumers.ts';
import { startHeartbeat, trackRunningBuilds } from '../../workers/heartbeat.ts';
import { createPodman } from '../../workers/podman.ts';
import { withHostPreference } from '../../workers/prefer-host.ts';
import { type CountProxy, startCountProxy } from '../lib/count-proxy.ts';
import { MIB, median } from '../lib/stats.ts';
import { AUTH, pullStep, randomImage } from '../warm/warm-bench.ts';

const logger = pino({ level: 'warn' }, pino.destination(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PRESETS = ['a', 'b'] as const;
type Preset = (typeof PRESETS)[number];

export interface RoutingBuild {
  preset: Preset;
  host: string;
  /** Whether the host held the preset's image when the build started (worker-1 holds a, worker-2 b at first). */
  holder: boolean;
  /** Queued → pull step started. */
  waitMs: number;
}

export interface RoutingMode {
  preferWarmHosts: boolean;
  builds: RoutingBuild[];
  pulledBytes: number;
  handBacks: number;
  waitMsMedian: number;
  waitMsMax: number;
  seconds: number;
}

export interface RoutingResult {
  imageBytes: number;
  builds: number;
  buildMs: number;
  gapMs: number;
  preferSeconds: number;
  sequence: string;
  on: RoutingMode;
  off: RoutingMode;
  /** Bytes pulled with warmth-aware routing ÷ without. */
  ratio: number;
}

/** A fixed pseudo-random sequence (both modes get the same one): runs of one preset, as real traffic has. */
function sequenceOf(n: number, seed = 7): Preset[] {
  let x = seed;
  const out: Preset[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push(PRESETS[(x >> 16) % 2] ?? 'a');
  }
  return out;
}

interface Setup {
  dir: string;
  redisUrl: string;
  registryHost: string;
  proxy: CountProxy;
  images: Record<Preset, string>;
  builder: string;
  buildMs: number;
}

async function startHost(name: string, penv: PodmanEnv, setup: Setup, record: (b: RoutingBuild) => void) {
  const podman = createPodman('podman', logger, { env: { PATH: process.env.PATH ?? '', ...penv.env } });
  const connection = new Redis(setup.redisUrl, { maxRetriesPerRequest: null });
  const held = new Set((await podman.listImages()).flatMap((i) => i.names));
  let beatNow = () => {};
  const builds = trackRunningBuilds<Processor>(
    async (job) => {
      const preset = job.data.preset as Preset;
      const holder = held.has(setup.images[preset]);
      const waitMs = Date.now() - job.timestamp;
      await pullStep(penv, setup.dir, setup.images[preset], setup.builder, setup.registryHost);
      held.add(setup.images[preset]);
      await sleep(setup.buildMs);
      record({ preset, host: name, holder, waitMs });
      return { workerHost: name };
    },
    () => beatNow(),
  );
  let activations = 0;
  const preferring = withHostPreference(builds.processor, { redis: connection, host: name, logger });
  const consumers = new BuildConsumers(
    [{ arch: hostArch(), requires: [] }],
    (job, token, signal) => {
      activations += 1;
      return preferring(job, token, signal);
    },
    { connection, concurrency: 1 },
  );
  const heartbeat = await startHeartbeat(
    connection,
    {
      config: {
        workerName: name,
        builders: { bench: { image: setup.builder } },
        worker: { concurrency: 1, workDir: setup.dir, containerStorage: penv.dir },
      },
      arch: hostArch(),
      podman,
      running: builds.running,
      ended: builds.ended,
    },
    logger,
  );
  beatNow = () => void heartbeat.beat();
  await consumers.waitUntilReady();
  return {
    handBacks: () => activations - builds.ended(),
    stop: async () => {
      await heartbeat.stop();
      await consumers.close();
      connection.disconnect();
    },
  };
}

async function runMode(
  setup: Setup,
  preferWarmHosts: boolean,
  o: { sequence: Preset[]; gapMs: number; preferSeconds: number; log: (line: string) => void },
): Promise<RoutingMode> {
  const envs = [await createPodmanEnv(), await createPodmanEnv()];
  const producer = new Redis(setup.redisUrl, { maxRetriesPerRequest: 1 });
  const queues = new BuildQueues(producer);
  const builds: RoutingBuild[] = [];
  const hosts: Awaited<ReturnType<typeof startHost>>[] = [];
  const started = Date.now();
  try {
    // Worker 1 holds a, worker 2 holds b (and both the builder), as their warm-up leaves them.
    for (const [i, preset] of PRESETS.entries()) {
      const env = envs[i] as PodmanEnv;
      await pullStep(env, setup.dir, setup.images[preset], setup.builder, setup.registryHost);
    }
    setup.proxy.reset();
    for (const [i, env] of envs.entries())
      hosts.push(await startHost(`worker-${i + 1}`, env, setup, (b) => builds.push(b)));
    const policy = {
      allowedRegistries: [setup.registryHost],
      builders: { bench: { image: setup.builder } },
    };
    for (const preset of o.sequence) {
      await enqueueBuild(
        queues,
        {
          source: setup.images[preset],
          preset,
          builder: { name: 'bench', image: setup.builder },
          type: 'iso',
          arch: hostArch(),
          requester: { kind: 'cli', user: 'bench' },
          requestedAt: new Date().toISOString(),
        },
        policy,
        { attempts: 1, backoffSeconds: 0 },
        { routing: { preferWarmHosts, preferSeconds: o.preferSeconds } },
      );
      await sleep(o.gapMs);
    }
    const deadline = Date.now() + 10 * 60_000;
    while (builds.length < o.sequence.length) {
      if (Date.now() > deadline) throw new Error(`routing: only ${builds.length} builds ended in 10 minutes`);
      await sleep(100);
    }
    const waits = builds.map((b) => b.waitMs);
    const mode: RoutingMode = {
      preferWarmHosts,
      builds,
      pulledBytes: setup.proxy.bytes(),
      handBacks: hosts.reduce((n, h) => n + h.handBacks(), 0),
      waitMsMedian: Math.round(median(waits)),
      waitMsMax: Math.max(...waits),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    o.log(
      `routing ${preferWarmHosts ? 'on ' : 'off'}: ${Math.round(mode.pulledBytes / MIB)} MiB pulled, ` +
        `${builds.filter((b) => b.holder).length}/${builds.length} builds on a host holding the image, ` +
        `${mode.handBacks} hand-backs, wait median ${mode.waitMsMedian} ms max ${mode.waitMsMax} ms`,
    );
    return mode;
  } finally {
    for (const h of hosts) await h.stop().catch(() => {});
    for (const q of queues.all()) await q.obliterate({ force: true }).catch(() => {});
    await producer.del(WORKERS_INDEX_KEY).catch(() => 0);
    await queues.close();
    producer.disconnect();
    for (const e of envs) await e.cleanup().catch(() => {});
  }
}

export async function runRoutingBench(o: {
  dir: string;
  imageBytes: number;
  builds: number;
  log: (line: string) => void;
}): Promise<RoutingResult> {
  const [redis, registry] = await Promise.all([startRedis(), startRegistry(AUTH)]);
  const [registryHost = '', registryPort = ''] = registry.host.split(':');
  const proxy = await startCountProxy(registryHost, Number(registryPort));
  const seed = await createPodmanEnv();
  try {
    // Pushed to the registry itself, pulled through the proxy (the same repositories).
    const path = { a: 'bench/routing-a:1', b: 'bench/routing-b:1', builder: 'bench/routing-builder:1' };
    const images = { a: `${proxy.host}/${path.a}`, b: `${proxy.host}/${path.b}` };
    const builder = `${proxy.host}/${path.builder}`;
    o.log(`routing: generating two ${Math.round(o.imageBytes / MIB)} MiB random images and pushing them`);
    for (const preset of PRESETS) {
      await randomImage(seed, join(o.dir, `gen-${preset}`), `localhost/routing-${preset}:1`, o.imageBytes);
      await pushImage(seed, `localhost/routing-${preset}:1`, `${registry.host}/${path[preset]}`, AUTH);
    }
    await buildSourceImage(seed, 'localhost/routing-builder:1');
    await pushImage(seed, 'localhost/routing-builder:1', `${registry.host}/${path.builder}`, AUTH);
    await seed.cleanup();
    const work = join(o.dir, 'work');
    await mkdir(work, { recursive: true });
    const setup: Setup = {
      dir: work,
      redisUrl: redis.url,
      registryHost: proxy.host,
      proxy,
      images,
      builder,
      buildMs: 1500,
    };
    const sequence = sequenceOf(o.builds);
    // A build arrives every 2.5 s and takes about 2 s: hosts are often idle, as build hosts mostly are.
    const pacing = { sequence, gapMs: 2500, preferSeconds: 10, log: o.log };
    const off = await runMode(setup, false, pacing);
    const on = await runMode(setup, true, pacing);
    return {
      imageBytes: o.imageBytes,
      builds: o.builds,
      buildMs: setup.buildMs,
      gapMs: pacing.gapMs,
      preferSeconds: pacing.preferSeconds,
      sequence: sequence.join(''),
      on,
      off,
      ratio: off.pulledBytes > 0 ? on.pulledBytes / off.pulledBytes : Number.NaN,
    };
  } finally {
    await seed.cleanup().catch(() => {});
    await Promise.all([registry.stop(), redis.stop(), proxy.stop()]);
  }
}
