import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { newBuildId } from '../domain/build-id.ts';
import type { Arch, BuildRequest, BuildRequestInput } from '../domain/build-request.ts';
import { type Capability, type RoutePolicy, requiredCapabilities } from '../domain/capabilities.ts';
import { type BuildPolicy, validateBuildRequest } from '../domain/validate-build-request.ts';
import { type HostPreference, preferHostFor, type RoutingSettings } from './host-preference.ts';
import { buildQueueName, QUEUE_PREFIX, QUEUE_ROUTES } from './names.ts';
import { RETRY_BACKOFF_TYPE } from './retry-backoff.ts';

export interface RetryPolicy {
  attempts: number;
  backoffSeconds: number;
}

/** Lazily opened queues (one per arch and capability set) sharing one producer connection. */
export class BuildQueues {
  readonly #connection: Redis;
  readonly #queues = new Map<string, Queue>();

  constructor(connection: Redis) {
    this.#connection = connection;
  }

  get connection(): Redis {
    return this.#connection;
  }

  /** The queue of builds for `arch` that need `requires` of their host (none: any host of the arch). */
  get(arch: Arch, requires: readonly Capability[] = []): Queue {
    const name = buildQueueName(arch, requires);
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.#connection, prefix: QUEUE_PREFIX });
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /** Every queue of `arch`: a build of that arch is in one of them. */
  ofArch(arch: Arch): Queue[] {
    return QUEUE_ROUTES.filter((r) => r.arch === arch).map((r) => this.get(r.arch, r.requires));
  }

  /** Every build queue. */
  all(): Queue[] {
    return QUEUE_ROUTES.map((r) => this.get(r.arch, r.requires));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }
}

/** The queue a validated request goes to: its arch, and what it needs of its host. */
export function queueFor(queues: BuildQueues, request: BuildRequest, policy: Partial<RoutePolicy>): Queue {
  return queues.get(request.arch, requiredCapabilities(request, { builders: {}, ...policy }));
}

export interface EnqueuedBuild {
  buildId: string;
  request: BuildRequest;
  /** Capabilities the build needs of its host (its queue); empty when any host of its arch will do. */
  requires: Capability[];
  /** Builds ahead of this one in its queue (waiting + running), for "position in queue" messages. */
  ahead: number;
  /** The host the build was sent to (it holds the source image), if warmth-aware routing chose one. */
  preferred?: HostPreference;
}

/**
 * Validates with the same rules the worker applies, then queues. Nothing is queued when validation fails.
 * Retries are for infrastructure faults only: the worker turns user errors into UnrecoverableError.
 * `policy.presets` (and `requires` on builders) route builds that need an entitled host to their own queue.
 */
export async function enqueueBuild(
  queues: BuildQueues,
  input: BuildRequestInput,
  policy: BuildPolicy & Partial<RoutePolicy>,
  retry: RetryPolicy,
  /**
   * A build id chosen before (Slack posts the status message first), a queue position already counted, and
   * the routing settings (without them, no host is preferred).
   */
  known: { buildId?: string; ahead?: number; routing?: RoutingSettings } = {},
): Promise<EnqueuedBuild> {
  const request = validateBuildRequest(input, policy);
  const requires = requiredCapabilities(request, policy);
  const queue = queues.get(request.arch, requires);
  await queue.waitUntilReady();
  const buildId = known.buildId ?? newBuildId();
  const ahead =
    known.ahead ??
    Object.values(await queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed')).reduce(
      (sum, n) => sum + n,
      0,
    );
  // Written before the job exists, so no host can take the build before its preference is known.
  const preferred = known.routing
    ? await preferHostFor(
        queues.connection,
        buildId,
        { arch: request.arch, requires, source: request.source },
        known.routing,
      )
    : undefined;
  await queue.add('build', request, {
    jobId: buildId,
    attempts: retry.attempts,
    // Exponential unless the error says how long to wait (workers carry the strategy: retry-backoff.ts).
    backoff: { type: RETRY_BACKOFF_TYPE, delay: retry.backoffSeconds * 1000 },
    // Keep history long enough for `status <id>` and retries; BullMQ removes old jobs lazily, when others finish.
    removeOnComplete: { age: 30 * 24 * 3600, count: 5000 },
    removeOnFail: { age: 30 * 24 * 3600, count: 5000 },
  });
  return { buildId, request, requires, ahead, ...(preferred ? { preferred } : {}) };
}
