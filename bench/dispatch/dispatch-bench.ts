// Target 4: many builds through several real worker processes (workers/main.ts, the real processor and pipeline)
// against real Redis and s3rver, with a podman stand-in that answers at once (bench/dispatch/stub-podman.sh), so
// the figures are the queue's and the worker's, not the builder's.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { BuildRequestInput } from '../../src/domain/build-request.ts';
import { hostArch } from '../../src/domain/host-arch.ts';
import { BuildQueues, enqueueBuild } from '../../src/queue/build-producer.ts';
import { startRedis } from '../../test/testbed/redis.ts';
import { startS3 } from '../../test/testbed/s3.ts';
import { BENCH_BUILDER, BENCH_REGISTRY, BENCH_SOURCE, writeBenchConfig } from '../lib/bench-config.ts';
import { type Started, startTsx, until } from '../lib/proc.ts';
import { type Percentiles, percentiles } from '../lib/stats.ts';

export interface DispatchPhase {
  builds: number;
  /** Requested enqueue rate (builds/s), or undefined for a burst (all at once). */
  rate?: number;
  enqueueToStartMs: Percentiles;
  enqueueToDoneMs: Percentiles;
  buildsPerSec: number;
  completed: number;
  failed: number;
  /** Builds whose builder ran more than once. */
  duplicates: number;
  lost: number;
  neverStarted: number;
  perWorker: Record<string, number>;
  wallMs: number;
}

export interface DispatchResult {
  workers: number;
  phases: DispatchPhase[];
}

const STUB = new URL('./stub-podman.sh', import.meta.url).pathname;

export async function runDispatchBench(opts: {
  dir: string;
  builds: number;
  workers: number;
  pacedBuilds: number;
  log: (line: string) => void;
}): Promise<DispatchResult> {
  const [redis, s3] = await Promise.all([startRedis(), startS3({ bucket: 'bench' })]);
  const connection = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const queues = new BuildQueues(connection);
  const queue = queues.get(hostArch());
  const starts = join(opts.dir, 'starts.txt');
  writeFileSync(starts, '');
  // The worker passes its children only PATH and podman's own settings: the stand-ins find the starts file through
  // a wrapper, and the registry size check finds a skopeo stand-in first on PATH (the bench registry does not exist).
  const bin = join(opts.dir, 'bin');
  await mkdir(bin, { recursive: true });
  const podmanWrapper = join(bin, 'podman');
  writeFileSync(podmanWrapper, `#!/bin/sh\nBENCH_STARTS='${starts}' exec '${STUB}' "$@"\n`, { mode: 0o755 });
  writeFileSync(
    join(bin, 'skopeo'),
    `#!/bin/sh\necho '{"schemaVersion":2,"config":{"size":1000},"layers":[{"size":65536}]}'\n`,
    { mode: 0o755 },
  );
  const children: Started[] = [];
  const result: DispatchResult = { workers: opts.workers, phases: [] };
  try {
    for (let i = 0; i < opts.workers; i++) {
      const dir = join(opts.dir, `w${i}`);
      await mkdir(dir, { recursive: true });
      const config = await writeBenchConfig(dir, [
        `  podman: "${podmanWrapper}"`,
        `  containerStorage: "${dir}"`,
      ]);
      const log = join(dir, 'worker.log');
      children.push(
        startTsx(
          'workers/main.ts',
          {
            REDIS_URL: redis.url,
            S3_ENDPOINT: s3.endpoint,
            S3_REGION: s3.region,
            S3_BUCKET: s3.bucket,
            S3_ACCESS_KEY_ID: s3.accessKeyId,
            S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
            S3_FORCE_PATH_STYLE: 'true',
            BOOTC_ISO_CONFIG: config,
            WORKER_NAME: `bench-w${i}`,
            LOG_LEVEL: 'info',
            PATH: `${bin}:${process.env.PATH ?? ''}`,
          },
          log,
        ),
      );
      const child = children[i];
      await until(
        `worker ${i} ready`,
        () => {
          if (child && child.child.exitCode !== null)
            throw new Error(`worker ${i} exited: ${readFileSync(log, 'utf8').slice(-800)}`);
          return readFileSync(log, 'utf8').includes('worker ready');
        },
        60_000,
        200,
      );
    }
    const policy = { allowedRegistries: [BENCH_REGISTRY], builders: { standin: { image: BENCH_BUILDER } } };
    const retry = { attempts: 2, backoffSeconds: 1 };
    const input = (): BuildRequestInput => ({
      source: BENCH_SOURCE,
      builder: { name: 'standin', image: BENCH_BUILDER },
      type: 'iso',
      arch: hostArch(),
      requester: { kind: 'cli', user: 'bench' },
      requestedAt: new Date().toISOString(),
      // Identical requests: without this all but the first would be answered from its ISO (target 5), and this
      // section measures the dispatch of builds to their builder.
      rebuild: true,
    });

    const phase = async (count: number, rate?: number): Promise<DispatchPhase> => {
      const enqueuedAt = new Map<string, number>();
      const begin = Date.now();
      for (let i = 0; i < count; i++) {
        if (rate) {
          const due = begin + (i * 1000) / rate - Date.now();
          if (due > 0) await sleep(due);
        }
        const t0 = Date.now();
        const { buildId } = await enqueueBuild(queues, input(), policy, retry);
        enqueuedAt.set(buildId, t0);
      }
      const ids = [...enqueuedAt.keys()];
      const done = async () => {
        const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
        return states.filter((s) => s === 'completed' || s === 'failed').length;
      };
      await until('every build finished', async () => (await done()) >= count, 10 * 60_000, 500).catch(
        () => undefined,
      );
      const wallMs = Date.now() - begin;
      const startLines = readFileSync(starts, 'utf8').trim().split('\n').filter(Boolean);
      const startsById = new Map<string, number[]>();
      for (const line of startLines) {
        const [id, ns] = line.split(' ');
        if (!id || !ns || !enqueuedAt.has(id)) continue;
        startsById.set(id, [...(startsById.get(id) ?? []), Number(BigInt(ns) / 1_000_000n)]);
      }
      const toStart: number[] = [];
      const toDone: number[] = [];
      const perWorker: Record<string, number> = {};
      let completed = 0;
      let failed = 0;
      let lastFinished = begin;
      for (const id of ids) {
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : 'missing';
        if (state === 'completed') completed++;
        if (state === 'failed') failed++;
        const t0 = enqueuedAt.get(id) ?? 0;
        const first = startsById.get(id)?.[0];
        if (first !== undefined) toStart.push(first - t0);
        if (job?.finishedOn) {
          toDone.push(job.finishedOn - t0);
          lastFinished = Math.max(lastFinished, job.finishedOn);
        }
        const host = (job?.returnvalue as { workerHost?: string } | undefined)?.workerHost;
        if (host) perWorker[host] = (perWorker[host] ?? 0) + 1;
      }
      const duplicates = [...startsById.values()].filter((s) => s.length > 1).length;
      return {
        builds: count,
        ...(rate ? { rate } : {}),
        enqueueToStartMs: percentiles(toStart),
        enqueueToDoneMs: percentiles(toDone),
        buildsPerSec: completed / ((lastFinished - begin) / 1000),
        completed,
        failed,
        duplicates,
        // Not finished either way when the wait ended (or never started): a build the system dropped.
        lost: count - completed - failed,
        neverStarted: ids.filter((id) => !startsById.has(id)).length,
        perWorker,
        wallMs,
      };
    };

    const burst = await phase(opts.builds);
    opts.log(
      `  dispatch burst: ${burst.builds} builds, ${burst.buildsPerSec.toFixed(1)} builds/s, enqueue→start p50 ${burst.enqueueToStartMs.p50} ms p95 ${burst.enqueueToStartMs.p95} ms, ` +
        `duplicates ${burst.duplicates}, lost ${burst.lost}, failed ${burst.failed}, per worker ${JSON.stringify(burst.perWorker)}`,
    );
    result.phases.push(burst);
    if (opts.pacedBuilds > 0) {
      // Steady state: half the measured capacity, so the figure is dispatch latency, not queueing behind a backlog.
      const rate = Math.max(1, Math.floor(burst.buildsPerSec / 2));
      const paced = await phase(opts.pacedBuilds, rate);
      opts.log(
        `  dispatch paced at ${rate}/s: ${paced.builds} builds, enqueue→start p50 ${paced.enqueueToStartMs.p50} ms p95 ${paced.enqueueToStartMs.p95} ms, ` +
          `duplicates ${paced.duplicates}, lost ${paced.lost}, failed ${paced.failed}`,
      );
      result.phases.push(paced);
    }
  } finally {
    await Promise.all(children.map((c) => c.stop(15_000)));
    await queues.close();
    connection.disconnect();
    await Promise.all([redis.stop(), s3.stop()]);
  }
  return result;
}
