import type { Redis } from 'ioredis';
import { ARCHES } from '../domain/build-request.ts';
import type { BuildQueues } from './build-producer.ts';
import { QUEUE_PREFIX } from './names.ts';

/**
 * BullMQ's cancel is local to the Worker holding the job (queue-and-storage.md A4), so a cancel is broadcast to
 * every worker over Redis pub/sub; the one that runs the build aborts it, the others ignore the message.
 */
export const CANCEL_CHANNEL = `${QUEUE_PREFIX}:cancel`;

export interface CancelMessage {
  buildId: string;
  by: string;
}

export type CancelOutcome = 'removed' | 'signalled' | 'not-found' | 'finished';

/** Cancels a build wherever it is: a queued build is removed, a running one is aborted on its worker. */
export async function requestCancel(
  queues: BuildQueues,
  publisher: Redis,
  buildId: string,
  by: string,
): Promise<CancelOutcome> {
  for (const arch of ARCHES) {
    const job = await queues.get(arch).getJob(buildId);
    if (!job) continue;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') return 'finished';
    if (state === 'active') {
      await publisher.publish(CANCEL_CHANNEL, JSON.stringify({ buildId, by } satisfies CancelMessage));
      return 'signalled';
    }
    // Waiting, delayed or prioritized: not locked by any worker, so it can simply go.
    await job.remove();
    return 'removed';
  }
  return 'not-found';
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
