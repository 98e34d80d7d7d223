import { mkdir } from 'node:fs/promises';
import { Worker } from 'bullmq';
import type { Config } from '../src/config/load-config.ts';
import { LABELS } from '../src/domain/bib-args.ts';
import { AppError } from '../src/domain/errors.ts';
import { hostArch } from '../src/domain/host-arch.ts';
import type { Logger } from '../src/logger.ts';
import { subscribeToCancels } from '../src/queue/cancel-requests.ts';
import { createRedis } from '../src/queue/connection.ts';
import { buildQueueName, QUEUE_PREFIX } from '../src/queue/names.ts';
import type { ArtifactStore } from '../src/storage/artifact-store.ts';
import { createS3Store } from '../src/storage/s3-store.ts';
import { createPodman } from './podman.ts';
import { createBuildJobProcessor, SHUTDOWN_REASON } from './process-build-job.ts';

/**
 * Wiring of a build host: the BullMQ worker, cancel subscription and clean-up. Called by the worker's entry point
 * (workers/main.ts), by `npm start` (all-in-one) and by `bootc-iso build --local`; the caller owns config and logger.
 */
export async function startBuildWorker(
  config: Config,
  logger: Logger,
  options: { store?: ArtifactStore } = {},
) {
  const store = options.store ?? (config.s3 ? createS3Store(config.s3) : undefined);
  if (!store) {
    throw new AppError(
      'CONFIG_INVALID',
      'S3_BUCKET is not set: a build worker needs S3-compatible storage for the ISOs (see README, Configuration)',
    );
  }
  const podman = createPodman(config.worker.podman, logger);
  const arch = hostArch();
  await mkdir(config.worker.workDir, { recursive: true, mode: 0o700 });

  // Containers left by a crashed run of this host would hold disk and loop devices: remove them first.
  const orphans = await podman.containersWithLabel(`${LABELS.host}=${config.workerName}`);
  for (const name of orphans) await podman.removeContainer(name);
  if (orphans.length) logger.info({ containers: orphans }, 'removed containers left by an earlier run');

  const onRedisError = (error: Error) =>
    logger.warn({ error: error.message }, 'redis connection error; retrying');
  const connection = createRedis(config.redisUrl, 'worker', onRedisError);
  const worker = new Worker(
    buildQueueName(arch),
    createBuildJobProcessor({ config, podman, store, logger }),
    {
      connection,
      prefix: QUEUE_PREFIX,
      concurrency: config.worker.concurrency,
      // Builds run for many minutes; a longer lock only delays detection of a dead host (A2).
      lockDuration: 120_000,
      maxStalledCount: 1,
    },
  );
  worker.on('error', (error) => logger.error({ error: error.message }, 'worker error'));
  const unsubscribe = await subscribeToCancels(
    createRedis(config.redisUrl, 'worker', onRedisError),
    ({ buildId, by }) => {
      // Every worker hears every cancel; only the one holding the build has something to abort.
      if (worker.cancelJob(buildId, `cancelled by ${by}`)) logger.info({ buildId, by }, 'cancelling build');
    },
  );
  await worker.waitUntilReady();
  logger.info(
    { queue: buildQueueName(arch), host: config.workerName, concurrency: config.worker.concurrency },
    'worker ready',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new builds; running builds are handed back to the queue');
    await unsubscribe();
    worker.cancelAllJobs(SHUTDOWN_REASON);
    await worker.close();
    connection.disconnect();
  };
  return { worker, stop, logger };
}
