import { Queue } from 'bullmq';
import type { Config } from '../src/config/load-config.ts';
import type { Arch } from '../src/domain/build-request.ts';
import { REQUIREMENT_SETS } from '../src/domain/capabilities.ts';
import { AppError } from '../src/domain/errors.ts';
import { pingWithin } from '../src/http/bot-ops.ts';
import {
  type BuildMetrics,
  createBuildMetrics,
  createProcessRegistry,
  registerFleetMetrics,
} from '../src/http/metrics.ts';
import type { ProbeCheck } from '../src/http/ops-routes.ts';
import type { Logger } from '../src/logger.ts';
import { createRedis } from '../src/queue/connection.ts';
import { buildQueueName, QUEUE_PREFIX } from '../src/queue/names.ts';
import type { DoctorSummary } from './doctor/check-at-start.ts';
import { type OpsServer, startOpsServer } from './ops-server.ts';

/** What /readyz reads of the worker: BullMQ's Worker, or the set of them a host runs (build-consumers.ts). */
export interface ReadinessSource {
  readonly closing: unknown;
  isPaused(): boolean;
  isRunning(): boolean;
}

export interface WorkerOps {
  /** Pass to startBuildWorker so each build attempt is recorded. */
  metrics: BuildMetrics;
  port: number;
  /** /readyz answers 200 once the worker is attached, running and Redis answers. */
  attach(worker: ReadinessSource): void;
  /** The doctor's verdict at start, shown (not judged) by /readyz: a failed check may concern some builds only. */
  reportHostChecks(summary: DoctorSummary): void;
  close(): Promise<void>;
}

/**
 * Monitoring for `npm run worker`: build metrics, this arch's queue depth and the live workers, served with the
 * probes on METRICS_HOST:METRICS_PORT. Started before the worker takes jobs, so a clash on a configured port
 * stops the process before it builds anything; on the default port a clash only warns. Undefined when metrics
 * are off or not served. (`bootc-iso build --local` does not call this: it would clash with a worker.)
 */
export async function startWorkerOps(
  config: Pick<Config, 'ops' | 'redis'>,
  arch: Arch,
  logger: Logger,
): Promise<WorkerOps | undefined> {
  const listen = config.ops.metrics;
  if (!listen) return undefined;
  const registry = createProcessRegistry('worker');
  const metrics = createBuildMetrics(registry);
  // A fail-fast connection of its own: a scrape during a Redis outage answers at once with redis_up 0.
  const redis = createRedis(config.redis, 'producer', () => undefined);
  // Depths of this arch's queues: its own and the one of builds that need an entitled host.
  const queues = REQUIREMENT_SETS.map(
    (requires) => new Queue(buildQueueName(arch, requires), { connection: redis, prefix: QUEUE_PREFIX }),
  );
  for (const queue of queues) queue.on('error', () => undefined);
  registerFleetMetrics(registry, { queues, redis });
  const release = async () => {
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
    redis.disconnect();
  };

  let worker: ReadinessSource | undefined;
  let hostChecks = 'running';
  const ready: ProbeCheck = async () => {
    const state = workerState(worker);
    const redisState = await pingWithin(redis, 1000);
    return {
      ok: state === 'running' && redisState === 'ready',
      detail: { worker: state, redis: redisState, hostChecks },
    };
  };
  let server: OpsServer;
  try {
    server = await startOpsServer({ listen, registry, ready });
  } catch (error) {
    await release();
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const where = `${listen.host}:${listen.port}`;
    if (!listen.required) {
      logger.warn(
        { error: String(error), address: where },
        'not serving /metrics: the default port is taken',
      );
      return undefined;
    }
    throw new AppError(
      'CONFIG_INVALID',
      `METRICS_PORT: cannot listen on ${where} (${code}); set METRICS_HOST/METRICS_PORT to a free address, or METRICS_PORT=off`,
      { cause: error },
    );
  }
  logger.info({ host: listen.host, port: server.port }, 'serving /metrics, /healthz and /readyz');
  return {
    metrics,
    port: server.port,
    attach(w) {
      worker = w;
    },
    reportHostChecks(summary) {
      hostChecks = describeHostChecks(summary);
    },
    async close() {
      await server.close();
      await release();
    },
  };
}

/** Only `running` is ready: a paused worker (its host is unfit for a while) takes no builds. */
function workerState(worker: ReadinessSource | undefined): string {
  if (!worker) return 'starting';
  if (worker.closing) return 'stopping';
  if (worker.isPaused()) return 'paused';
  return worker.isRunning() ? 'running' : 'idle';
}

/** `13 ok, 1 warn, 1 fail (loop device)`: the doctor's verdict in one /readyz field. */
export function describeHostChecks(summary: DoctorSummary): string {
  const failing = summary.failing.length ? ` (${summary.failing.join(', ')})` : '';
  return `${summary.ok} ok, ${summary.warn} warn, ${summary.fail} fail${failing}`;
}
