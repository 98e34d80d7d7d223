import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ARCHES, ISO_TYPES } from '../domain/build-request.ts';
import { ERROR_CODES } from '../domain/errors.ts';
import { listLiveWorkers } from '../queue/worker-registry.ts';

/** Every metric of ours starts with this; process_* and nodejs_* come from prom-client's default collectors. */
export const METRIC_PREFIX = 'bootc_iso_';

/**
 * How one attempt of a build ended, as the worker saw it. `requeued`: handed back (host shutting down or unfit);
 * `reused`: answered from an identical build's ISO, no builder run; `waiting`: an identical build was running, so
 * this one went back to the queue to wait for it (one per look).
 */
export const BUILD_OUTCOMES = [
  'succeeded',
  'reused',
  'failed',
  'retrying',
  'cancelled',
  'requeued',
  'waiting',
] as const;
export type BuildOutcome = (typeof BUILD_OUTCOMES)[number];

/** A registry with the Node process metrics, labelled with the process role ("bot", "worker"). */
export function createProcessRegistry(role: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface BuildAttempt {
  outcome: BuildOutcome;
  /** From the job data; anything outside the closed sets becomes "unknown" so labels stay bounded. */
  type: string;
  arch: string;
  seconds: number;
  /** Milliseconds per pipeline step (the build result's `timings`). */
  timings?: Record<string, number>;
  /** Size of the uploaded ISO. */
  isoBytes?: number;
  /** Error code of a failed attempt (the closed set in src/domain/errors.ts). */
  code?: string;
}

export interface BuildMetrics {
  readonly registry: Registry;
  /** Call when an attempt starts; the returned function is called once when it ends. */
  started(): () => void;
  finished(attempt: BuildAttempt): void;
}

// Builds take minutes to an hour; steps range from a login (seconds) to the builder run (tens of minutes).
const BUILD_BUCKETS = [30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200];
const STEP_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

/** The build counters and histograms a worker records from its processor. */
export function createBuildMetrics(registry: Registry): BuildMetrics {
  const builds = new Counter({
    name: `${METRIC_PREFIX}builds_total`,
    help: 'Build attempts finished on this worker, by outcome, ISO type and architecture',
    labelNames: ['outcome', 'type', 'arch'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: `${METRIC_PREFIX}build_failures_total`,
    help: 'Failed, retried or cancelled build attempts on this worker, by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${METRIC_PREFIX}build_duration_seconds`,
    help: 'Duration of one build attempt on this worker, from pick-up to result or failure',
    labelNames: ['outcome', 'type', 'arch'] as const,
    buckets: BUILD_BUCKETS,
    registers: [registry],
  });
  const steps = new Histogram({
    name: `${METRIC_PREFIX}build_step_duration_seconds`,
    help: 'Duration of each pipeline step of successful builds (preflight, login, pullBuilder, pullSource, build, upload)',
    labelNames: ['step'] as const,
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const uploaded = new Counter({
    name: `${METRIC_PREFIX}uploaded_bytes_total`,
    help: 'Bytes of ISO images uploaded to storage by this worker',
    registers: [registry],
  });
  const active = new Gauge({
    name: `${METRIC_PREFIX}builds_running`,
    help: 'Builds running on this worker now',
    registers: [registry],
  });

  return {
    registry,
    started() {
      active.inc();
      let done = false;
      return () => {
        if (!done) active.dec();
        done = true;
      };
    },
    finished(attempt) {
      const labels = {
        outcome: attempt.outcome,
        type: oneOf(ISO_TYPES, attempt.type),
        arch: oneOf(ARCHES, attempt.arch),
      };
      builds.inc(labels);
      duration.observe(labels, attempt.seconds);
      if (['failed', 'retrying', 'cancelled'].includes(attempt.outcome)) {
        failures.inc({ code: oneOf(Object.keys(ERROR_CODES), attempt.code ?? 'INTERNAL') });
      }
      for (const [step, ms] of Object.entries(attempt.timings ?? {})) {
        if (/^[A-Za-z]{1,32}$/.test(step) && Number.isFinite(ms)) steps.observe({ step }, ms / 1000);
      }
      if (attempt.isoBytes !== undefined && attempt.isoBytes > 0) uploaded.inc(attempt.isoBytes);
    },
  };
}

export interface FleetSource {
  /** The queues to report, by name (`builds-x86_64`, `notify`, ...). */
  queues: Queue[];
  /** Any connection to the queues' Redis, for the worker heartbeats. */
  redis: Redis;
  /** A scrape never waits longer than this for Redis (a worker connection would wait out an outage). */
  timeoutMs?: number;
}

/**
 * Gauges read from Redis when scraped: jobs per queue and state, live workers and their build slots per arch.
 * They describe the whole fleet, so every process that registers them reports the same values; aggregate
 * with max(), not sum(). `bootc_iso_redis_up` is 0 when Redis did not answer in time.
 */
export function registerFleetMetrics(registry: Registry, source: FleetSource): void {
  const timeoutMs = source.timeoutMs ?? 2000;
  // prom-client calls every collect() of a scrape at once; they share one read of Redis.
  let pending: Promise<void> | undefined;
  const collect = (): Promise<void> => {
    pending ??= withTimeout(readFleet(source, jobs, workers, slots), timeoutMs)
      .then(
        (): void => up.set(1),
        (): void => {
          // Stale numbers next to redis_up 0 would look current on a dashboard.
          for (const gauge of [jobs, workers, slots]) gauge.reset();
          up.set(0);
        },
      )
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  const up = new Gauge({
    name: `${METRIC_PREFIX}redis_up`,
    help: '1 when Redis answered this scrape, 0 when it did not',
    registers: [registry],
    collect,
  });
  const jobs = new Gauge({
    name: `${METRIC_PREFIX}queue_jobs`,
    help: 'Jobs in each queue by state (from BullMQ getJobCounts at scrape time)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    collect,
  });
  const workers = new Gauge({
    name: `${METRIC_PREFIX}workers_live`,
    help: 'Build workers with a fresh heartbeat, by architecture',
    labelNames: ['arch'] as const,
    registers: [registry],
    collect,
  });
  const slots = new Gauge({
    name: `${METRIC_PREFIX}worker_slots`,
    help: 'Build slots (worker.concurrency) of live workers, by architecture',
    labelNames: ['arch'] as const,
    registers: [registry],
    collect,
  });
}

async function readFleet(
  source: FleetSource,
  jobs: Gauge<'queue' | 'state'>,
  workers: Gauge<'arch'>,
  slots: Gauge<'arch'>,
) {
  const [counts, live] = await Promise.all([
    Promise.all(
      source.queues.map(async (queue) => ({ name: queue.name, counts: await queue.getJobCounts() })),
    ),
    listLiveWorkers(source.redis),
  ]);
  jobs.reset();
  for (const { name, counts: byState } of counts) {
    for (const [state, n] of Object.entries(byState)) jobs.set({ queue: name, state }, n);
  }
  workers.reset();
  slots.reset();
  for (const arch of ARCHES) {
    const here = live.filter((w) => w.arch === arch);
    if (here.length === 0) continue;
    workers.set({ arch }, here.length);
    slots.set(
      { arch },
      here.reduce((sum, w) => sum + w.concurrency, 0),
    );
  }
}

function oneOf(allowed: readonly string[], value: string): string {
  return allowed.includes(value) ? value : 'unknown';
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
