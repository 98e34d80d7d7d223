import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisTarget } from '../../config/redis-env.ts';
import type { Arch } from '../../domain/build-request.ts';
import type { Logger } from '../../logger.ts';
import { createRedis } from '../../queue/connection.ts';
import { buildQueueName, QUEUE_PREFIX, QUEUE_ROUTES } from '../../queue/names.ts';

/**
 * Build events reach Slack through one BullMQ queue, "notify": every bot process listens to the build queues'
 * event streams, but each event becomes a notify job whose id is derived from the event, so however many bots
 * see an event, exactly one job exists and exactly one bot handles it.
 */
export const NOTIFY_QUEUE = 'notify';
/** Status edits of one build are at least this far apart (Slack's chat.update is a shared Tier-3 budget). */
export const UPDATE_INTERVAL_MS = 5000;

export interface SyncJobData {
  buildId: string;
  arch: Arch;
}

/** One cursor per queue; the plain arch queue keeps the key it always had. */
const cursorKey = (arch: Arch, requires: readonly string[]) =>
  `${QUEUE_PREFIX}:slack:cursor:${[arch, ...requires].join('-')}`;
const STATE_EVENTS = ['active', 'completed', 'failed', 'waiting', 'delayed', 'removed', 'stalled'] as const;

export function createNotifyQueue(connection: Redis): Queue<SyncJobData> {
  return new Queue<SyncJobData>(NOTIFY_QUEUE, {
    connection,
    prefix: QUEUE_PREFIX,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      // Kept a day so a re-read event stream (bot restart) finds the job id taken and adds nothing twice.
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

/** Asks for a sync of the build at `atMs` (rounded to the second, so requests for the same moment collapse). */
export async function scheduleSync(
  queue: Queue<SyncJobData>,
  data: SyncJobData,
  atMs: number,
  now = Date.now(),
) {
  const second = Math.ceil(atMs / 1000);
  await queue.add('sync', data, {
    jobId: `sync-${data.buildId}-t${second}`,
    delay: Math.max(0, second * 1000 - now),
  });
}

export async function startEventBridge(opts: {
  /** A URL or a Sentinel target (config.redis). */
  redisUrl: string | RedisTarget;
  cursors: Redis;
  notify: Queue<SyncJobData>;
  arches: readonly Arch[];
  logger: Logger;
}): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  for (const { arch, requires } of QUEUE_ROUTES.filter((r) => opts.arches.includes(r.arch))) {
    const lastEventId = (await opts.cursors.get(cursorKey(arch, requires))) ?? '$';
    const connection = createRedis(opts.redisUrl, 'worker');
    const events = new QueueEvents(buildQueueName(arch, requires), {
      connection,
      prefix: QUEUE_PREFIX,
      lastEventId,
    });
    const forward = (jobId: string, eventId: string, progress: boolean) => {
      const data = { buildId: jobId, arch };
      const added = progress
        ? // Progress is coalesced into one sync at the end of each 5-second window.
          scheduleSync(
            opts.notify,
            data,
            (Math.floor(Date.now() / UPDATE_INTERVAL_MS) + 1) * UPDATE_INTERVAL_MS,
          )
        : opts.notify.add('sync', data, { jobId: `sync-${jobId}-e${eventId.replace(/[^0-9a-z-]/gi, '')}` });
      added
        .then(() => opts.cursors.set(cursorKey(arch, requires), eventId))
        .catch((error: unknown) =>
          opts.logger.warn({ buildId: jobId, error: String(error) }, 'could not queue a notification'),
        );
    };
    for (const name of STATE_EVENTS) {
      events.on(name, (args: { jobId: string }, eventId: string) => forward(args.jobId, eventId, false));
    }
    events.on('progress', (args: { jobId: string }, eventId: string) => forward(args.jobId, eventId, true));
    events.on('error', (error) => opts.logger.warn({ error: String(error) }, 'build event stream error'));
    await events.waitUntilReady();
    stops.push(async () => {
      await events.close();
      connection.disconnect();
    });
  }
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}
