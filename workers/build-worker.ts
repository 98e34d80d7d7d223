import { mkdir } from 'node:fs/promises';
import { Queue } from 'bullmq';
import { childProcessEnv } from '../src/config/child-env.ts';
import type { Config } from '../src/config/load-config.ts';
import { LABELS } from '../src/domain/bib-args.ts';
import { AppError } from '../src/domain/errors.ts';
import { hostArch } from '../src/domain/host-arch.ts';
import type { BuildMetrics } from '../src/http/metrics.ts';
import type { Logger } from '../src/logger.ts';
import { cancelRequestedBy, subscribeToCancels } from '../src/queue/cancel-requests.ts';
import { createRedis } from '../src/queue/connection.ts';
import { createIdenticalBuildClaims, wakeWaitingBuilds } from '../src/queue/identical-build-claims.ts';
import { buildQueueName, QUEUE_PREFIX, routesServedBy } from '../src/queue/names.ts';
import { BUILD_WORKER_SETTINGS } from '../src/queue/retry-backoff.ts';
import { requireConfiguredSigningKey } from '../src/signing/publish-trust-files.ts';
import type { ArtifactStore } from '../src/storage/artifact-store.ts';
import { createS3Store } from '../src/storage/s3-store.ts';
import { BuildConsumers } from './build-consumers.ts';
import { withBuildMetrics } from './build-metrics.ts';
import {
  builderCacheDirs,
  createBuilderCaches,
  startBuilderCachePrune,
  withBuilderCaches,
} from './builder-caches.ts';
import { removeLeftoverWorkDirs } from './cleanup.ts';
import { checkHostAtStart } from './doctor/check-at-start.ts';
import { createFence, type Fence } from './fence.ts';
import { startHeartbeat, trackRunningBuilds } from './heartbeat.ts';
import { hostCapabilities, readEntitlementFacts } from './host-capabilities.ts';
import { setUpImagePrune } from './image-prune.ts';
import { createPodman } from './podman.ts';
import { withHostPreference } from './prefer-host.ts';
import { createBuildJobProcessor, SHUTDOWN_REASON } from './process-build-job.ts';
import { createImageWarmer } from './warm-images.ts';

/** How long a host that found itself unfit to build (low disk...) stops taking builds before it looks again. */
const UNFIT_PAUSE_MS = 60_000;

/**
 * Wiring of a build host: the BullMQ worker, cancel subscription and clean-up. Called by the worker's entry point
 * (workers/main.ts), by `npm start` (all-in-one) and by `bootc-iso build --local`; the caller owns config and logger.
 */
export async function startBuildWorker(
  given: Config,
  logger: Logger,
  options: { store?: ArtifactStore; metrics?: BuildMetrics; checkHost?: boolean } = {},
) {
  // The builder's caches are on unless the config names other directories.
  const config = withBuilderCaches(given);
  const signingKey = await requireConfiguredSigningKey(config.signing);
  if (signingKey) logger.info({ keyId: signingKey.keyId }, 'builds are signed with this key');
  const store = options.store ?? (config.s3 ? createS3Store(config.s3) : undefined);
  if (!store) {
    throw new AppError(
      'CONFIG_INVALID',
      'S3_BUCKET is not set: a build worker needs S3-compatible storage for the ISOs, or ARTIFACT_DIR for a ' +
        'directory shared with the bot on this host (see README, Configuration)',
    );
  }
  const arch = hostArch();
  // Builds that need an entitled host (RHEL ISOs) have queues of their own, consumed only by hosts that have it.
  const host = hostCapabilities(config.worker.capabilities, await readEntitlementFacts());
  const routes = routesServedBy(arch, host.capabilities);
  await mkdir(config.worker.workDir, { recursive: true, mode: 0o700 });
  await removeLeftoverWorkDirs(config.worker.workDir, logger);
  await createBuilderCaches(config.worker);
  // podman and everything it starts get only what podman needs, never the service's secrets.
  const podmanEnv = childProcessEnv();
  const imagePrune = await setUpImagePrune(
    config,
    createPodman(config.worker.podman, logger, { env: podmanEnv }),
    logger,
  );
  const podman = imagePrune.podman;

  // Containers left by a crashed run of this host would hold disk and loop devices: remove them first.
  const orphans = await podman.containersWithLabel(`${LABELS.host}=${config.workerName}`);
  for (const name of orphans) await podman.removeContainer(name);
  if (orphans.length) logger.info({ containers: orphans }, 'removed containers left by an earlier run');

  const onRedisError = (error: Error) =>
    logger.warn({ error: error.message }, 'redis connection error; retrying');
  const connection = createRedis(config.redis, 'worker', onRedisError);
  const lockMs = config.worker.lockSeconds * 1000;
  const wakeQueues = routes.map(
    (r) => new Queue(buildQueueName(r.arch, r.requires), { connection, prefix: QUEUE_PREFIX }),
  );
  // Each running attempt's hold on its job lock, by build id.
  const fences = new Map<string, Fence>();
  // An attempt that lost its lock stops its builder at once (the abort also reaches podman through the build's
  // signal; this covers a container whose step is between commands). Only this host's containers of the build.
  const stopContainersOf = async (buildId: string) => {
    const [ofBuild, ofHost] = await Promise.all([
      podman.containersWithLabel(`${LABELS.build}=${buildId}`),
      podman.containersWithLabel(`${LABELS.host}=${config.workerName}`),
    ]);
    const fence = fences.get(buildId);
    for (const name of ofBuild.filter((n) => ofHost.includes(n) && (!fence || n.endsWith(fence.tag)))) {
      await podman.removeContainer(name);
    }
  };
  // The heartbeat is written again as soon as a build starts or ends, or the host pauses (it exists once the
  // consumers are ready).
  let beatNow = () => {};
  const processor = createBuildJobProcessor({
    config,
    podman,
    store,
    logger,
    // Waiting identical builds sleep in the delayed set until the holder's release wakes them; the claim's
    // lifetime is their fallback, for a holder that died without releasing.
    claims: createIdenticalBuildClaims(connection, lockMs, wakeWaitingBuilds(wakeQueues)),
    identicalWaitMs: lockMs,
    fence: (job, token) => {
      const buildId = job.id ?? 'unknown';
      const fence = createFence(
        connection,
        { prefix: QUEUE_PREFIX, queue: job.queueName, jobId: buildId, token, lockMs },
        logger.child({ buildId }),
      );
      fences.set(buildId, fence);
      fence.signal.addEventListener('abort', () => void stopContainersOf(buildId), { once: true });
      return fence;
    },
    releaseFence: (buildId) => fences.delete(buildId),
    cancelledBy: (buildId) => cancelRequestedBy(connection, buildId),
    // This host cannot build now (low disk, podman broken): stop taking builds for a while, so that other hosts
    // get them, then look again.
    onHostUnfit: (reason) => {
      if (worker.isPaused()) return;
      logger.warn({ reason, pauseSeconds: UNFIT_PAUSE_MS / 1000 }, 'not taking builds for a while');
      void worker.pause();
      // Said at once in the heartbeat, so producers stop sending builds here.
      beatNow();
      setTimeout(() => {
        worker.resume();
        beatNow();
      }, UNFIT_PAUSE_MS).unref();
    },
  });
  const builds = trackRunningBuilds(
    options.metrics ? withBuildMetrics(processor, options.metrics) : processor,
    () => beatNow(),
  );
  // Outermost: a build handed back to the host that holds its image is neither counted as run nor measured.
  const preferring = withHostPreference(builds.processor, {
    redis: connection,
    host: config.workerName,
    logger,
  });
  const worker = new BuildConsumers(routes, preferring, {
    connection,
    concurrency: config.worker.concurrency,
    // Builds run for many minutes; a longer lock only delays detection of a dead host.
    lockDuration: config.worker.lockSeconds * 1000,
    // Look for builds of dead hosts as often as a lock can expire (BullMQ's default is every 30 s).
    stalledInterval: Math.min(config.worker.lockSeconds * 1000, 30_000),
    maxStalledCount: 1,
    settings: BUILD_WORKER_SETTINGS,
  });
  worker.on('error', (error) => logger.error({ error: error.message }, 'worker error'));
  // BullMQ could not extend these locks: another worker may take the builds over at any moment.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const id of jobIds) fences.get(id)?.markLost('BullMQ could not renew the lock');
  });
  const unsubscribe = await subscribeToCancels(
    createRedis(config.redis, 'worker', onRedisError),
    ({ buildId, by }) => {
      // Every worker hears every cancel; only the one holding the build has something to abort.
      if (worker.cancelJob(buildId, `cancelled by ${by}`)) logger.info({ buildId, by }, 'cancelling build');
    },
  );
  await worker.waitUntilReady();
  // The presets' images, pulled ahead so a preset build's pull is a digest check; its pulls count as uses for the
  // old-image policy, so warm images are never pruned as unused.
  const warmer = createImageWarmer({ config, podman, logger, arch, capabilities: host.capabilities });
  const heartbeat = await startHeartbeat(
    connection,
    {
      config,
      arch,
      podman,
      running: builds.running,
      ended: builds.ended,
      capabilities: host.capabilities,
      paused: () => worker.isPaused(),
      warmImages: warmer.warm,
    },
    logger,
  );
  beatNow = () => void heartbeat.beat();
  imagePrune.start();
  warmer.start();
  const stopCachePrune = startBuilderCachePrune(
    builderCacheDirs(config.worker),
    () => builds.running().length === 0,
    logger,
  );
  // The doctor's checks, in the background: logged, and summarised in /readyz. Off for one-off local builds.
  const stopChecks = new AbortController();
  const hostChecks =
    options.checkHost === false ? undefined : checkHostAtStart(config, logger, stopChecks.signal);
  logger.info(
    {
      queues: worker.queueNames,
      host: config.workerName,
      concurrency: config.worker.concurrency,
      capabilities: host.capabilities,
      capabilitiesFrom: host.source,
      ...(host.source === 'detected' && host.entitlementProblems.length
        ? { notEntitled: host.entitlementProblems }
        : {}),
    },
    'worker ready',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new builds; running builds are handed back to the queue');
    // Listed as draining until its builds have ended or gone back to the queue, so nobody takes it for dead.
    await heartbeat.drain();
    imagePrune.stop();
    warmer.stop();
    stopCachePrune();
    stopChecks.abort();
    // Running builds may finish within the grace period; after it they are stopped and handed back to the queue.
    // Cancels are heard until they have ended: someone may cancel a build during the grace period.
    const closed = worker.close();
    const grace = config.worker.shutdownGraceSeconds * 1000;
    const timer = setTimeout(() => worker.cancelAllJobs(SHUTDOWN_REASON), grace);
    await closed;
    clearTimeout(timer);
    await heartbeat.stop();
    await unsubscribe();
    await Promise.all(wakeQueues.map((q) => q.close()));
    connection.disconnect();
  };
  return { worker, stop, logger, hostChecks };
}
