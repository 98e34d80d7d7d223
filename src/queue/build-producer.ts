import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { newBuildId } from '../domain/build-id.ts';
import type { Arch, BuildRequest, BuildRequestInput } from '../domain/build-request.ts';
import { type BuildPolicy, validateBuildRequest } from '../domain/validate-build-request.ts';
import { buildQueueName, QUEUE_PREFIX } from './names.ts';

export interface RetryPolicy {
  attempts: number;
  backoffSeconds: number;
}

/** Lazily opened per-arch queues sharing one producer connection. */
export class BuildQueues {
  readonly #connection: Redis;
  readonly #queues = new Map<Arch, Queue>();

  constructor(connection: Redis) {
    this.#connection = connection;
  }

  get connection(): Redis {
    return this.#connection;
  }

  get(arch: Arch): Queue {
    let queue = this.#queues.get(arch);
    if (!queue) {
      queue = new Queue(buildQueueName(arch), { connection: this.#connection, prefix: QUEUE_PREFIX });
      this.#queues.set(arch, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }
}

export interface EnqueuedBuild {
  buildId: string;
  request: BuildRequest;
  /** Builds ahead of this one in its arch queue (waiting + running), for "position in queue" messages. */
  ahead: number;
}

/**
 * Validates with the same rules the worker applies, then queues. Nothing is queued when validation fails.
 * Retries are for infrastructure faults only: the worker turns user errors into UnrecoverableError.
 */
export async function enqueueBuild(
  queues: BuildQueues,
  input: BuildRequestInput,
  policy: BuildPolicy,
  retry: RetryPolicy,
  /** A build id chosen before (Slack posts the status message first), and a queue position already counted. */
  known: { buildId?: string; ahead?: number } = {},
): Promise<EnqueuedBuild> {
  const request = validateBuildRequest(input, policy);
  const queue = queues.get(request.arch);
  await queue.waitUntilReady();
  const buildId = known.buildId ?? newBuildId();
  const ahead =
    known.ahead ??
    Object.values(await queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed')).reduce(
      (sum, n) => sum + n,
      0,
    );
  await queue.add('build', request, {
    jobId: buildId,
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffSeconds * 1000, jitter: 0.2 },
    // Keep history long enough for `status <id>` and retries; removal is lazy (A6).
    removeOnComplete: { age: 30 * 24 * 3600, count: 5000 },
    removeOnFail: { age: 30 * 24 * 3600, count: 5000 },
  });
  return { buildId, request, ahead };
}
