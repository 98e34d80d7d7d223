import type { Redis } from 'ioredis';
import type { BuildQueues } from './build-producer.ts';
import { findBuild } from './find-build.ts';
import { QUEUE_PREFIX } from './names.ts';

/**
 * BullMQ's cancel reaches only the Worker object holding the job, in that process, so a cancel is broadcast to
 * every worker over Redis pub/sub; the one that runs the build aborts it, the others ignore the message.
 */
export const CANCEL_CHANNEL = `${QUEUE_PREFIX}:cancel`;

export interface CancelMessage {
  buildId: string;
  by: string;
}

export type CancelOutcome = 'removed' | 'signalled' | 'not-found' | 'finished';

/** How long a cancel request is remembered for a worker that has not started the build yet (longer than any build). */
const CANCEL_MARK_SECONDS = 86_400;
export const cancelMarkKey = (buildId: string) => `${QUEUE_PREFIX}:cancelled:${buildId}`;

/** Who asked to cancel this build, if anyone did: a worker checks it when it starts the build. */
export async function cancelRequestedBy(redis: Redis, buildId: string): Promise<string | undefined> {
  return (await redis.get(cancelMarkKey(buildId))) ?? undefined;
}

/**
 * Cancels a build wherever it is: a queued build is removed, a running one is aborted on its worker.
 * A worker may take the build between any two of these steps, so the state read here decides little: a running
 * build is never removed (it could finish in between, and BullMQ removes finished jobs), a queued one is removed
 * only if BullMQ agrees (it refuses a job a worker holds), and otherwise the cancel is both remembered in Redis and
 * broadcast, because a worker that has just taken the job does not hear broadcasts for it yet.
 */
export async function requestCancel(
  queues: BuildQueues,
  publisher: Redis,
  buildId: string,
  by: string,
): Promise<CancelOutcome> {
  const found = await findBuild(queues, buildId);
  if (!found) return 'not-found';
  const { job, state } = found;
  if (state === 'completed' || state === 'failed') return 'finished';
  if (state !== 'active') {
    const removed = await job.remove().then(
      () => true,
      () => false,
    );
    if (removed) {
      // Remembered for the Slack side too: the status message of a build that no longer exists says who
      // cancelled it instead of staying "queued".
      await publisher.set(cancelMarkKey(buildId), by, 'EX', CANCEL_MARK_SECONDS);
      return 'removed';
    }
  }
  // Running (or taken since the state was read). A dead host's build goes back to the queue when its lock
  // lapses, and the next worker reads the remembered cancel before it starts.
  await publisher.set(cancelMarkKey(buildId), by, 'EX', CANCEL_MARK_SECONDS);
  await publisher.publish(CANCEL_CHANNEL, JSON.stringify({ buildId, by } satisfies CancelMessage));
  return 'signalled';
}

/** Subscribes a worker to cancel requests; needs a connection of its own (subscriber mode). */
export async function subscribeToCancels(
  subscriber: Redis,
  onCancel: (message: CancelMessage) => void,
): Promise<() => Promise<void>> {
  subscriber.on('message', (channel: string, raw: string) => {
    if (channel !== CANCEL_CHANNEL) return;
    try {
      const message = JSON.parse(raw) as Partial<CancelMessage>;
      if (typeof message.buildId === 'string' && typeof message.by === 'string') {
        onCancel({ buildId: message.buildId, by: message.by });
      }
    } catch {
      // A malformed message is not ours to act on.
    }
  });
  await subscriber.subscribe(CANCEL_CHANNEL);
  return async () => {
    await subscriber.unsubscribe(CANCEL_CHANNEL);
    subscriber.disconnect();
  };
}
