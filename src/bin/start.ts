import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startBuildWorker } from '../../workers/build-worker.ts';
import { type Config, loadConfig, secretValues } from '../config/load-config.ts';
import { asAppError } from '../domain/errors.ts';
import { localDownloadsRoute } from '../http/local-downloads.ts';
import { createLifecycle, type Lifecycle } from '../lifecycle/process-lifecycle.ts';
import { removeClientFile, writeClientFile } from '../local/client-file.ts';
import { startEmbeddedRedis } from '../local/embedded-redis.ts';
import { openLocalStore } from '../local/open-local-store.ts';
import { createLogger, type Logger } from '../logger.ts';
import { signingKeyRoutes } from '../signing/public-key-route.ts';
import { startBot } from '../slack/start-bot.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import type { LocalStore } from '../storage/local-store.ts';
import { createS3Store } from '../storage/s3-store.ts';

// Entry point of `npm start`: the Slack bot and one build worker in one process on one host. Without REDIS_URL it
// runs a private redis-server, without S3_BUCKET it keeps ISOs in ARTIFACT_DIR and the bot serves them on its port
// behind signed links. Stops on SIGTERM/SIGINT (bot, then worker, then Redis) and never prints a stack trace.

/** Long enough for running builds to hand their jobs back; a second signal stops at once. */
const STOP_DEADLINE_MS = 120_000;

/** Starts everything; `parts` collects what runs, in start order, so a failed start can stop what did start. */
async function start(config: Config, logger: Logger, redisPassword: string | undefined, parts: Lifecycle) {
  let runtime = config;
  if (redisPassword !== undefined) {
    const dir = join(config.local.dataDir, 'redis');
    const redis = await startEmbeddedRedis({ dir, password: redisPassword, logger });
    parts.add({ name: 'redis', stop: redis.stop });
    logger.info({ redisPort: redis.port, redisPid: redis.pid, dir }, 'embedded redis ready');
    runtime = { ...config, redisUrl: redis.url, redis: { url: redis.url } };
  }
  let local: LocalStore | undefined;
  let store: ArtifactStore;
  if (runtime.s3) store = createS3Store(runtime.s3);
  else store = local = await openLocalStore(runtime.local);
  const worker = await startBuildWorker(runtime, logger, { store });
  parts.add({ name: 'worker', stop: (reason) => worker.stop(reason) });
  const routes = [
    ...(local ? [localDownloadsRoute(local, logger)] : []),
    ...(await signingKeyRoutes(runtime.signing)),
  ];
  const stopBot = await startBot(runtime, logger, { store, routes });
  parts.add({ name: 'bot', stop: stopBot });
  if (!runtime.redis.sentinel) {
    // Lets a `bootc-iso` command run beside this process find its Redis with no settings.
    const { dataDir } = runtime.local;
    const clientFile = await writeClientFile(dataDir, {
      redisUrl: runtime.redisUrl,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    });
    parts.add({ name: 'client file', stop: () => removeClientFile(dataDir, process.pid) });
    logger.info({ clientFile }, 'client file written for the bootc-iso command');
  }
  logger.info(
    {
      redis: redisPassword === undefined ? 'REDIS_URL' : 'embedded',
      artifacts: local ? local.root : `s3://${runtime.s3?.bucket}`,
      ...(local ? { downloads: `${runtime.local.publicUrl}/downloads/` } : {}),
    },
    'bootc-iso ready',
  );
}

let lifecycle: Lifecycle | undefined;
try {
  const config = loadConfig(undefined, { role: 'all' });
  const embedded = !config.redisUrlSet && !config.redis.sentinel;
  const redisPassword = embedded ? randomBytes(24).toString('hex') : undefined;
  const logger = createLogger({
    level: config.logLevel,
    name: 'bootc-iso',
    secrets: [...secretValues(config), ...(redisPassword ? [redisPassword] : [])],
  });
  // Stops newest first: the bot, then the worker (its builds go back to the queue), then Redis. Bolt rejects in
  // the background when Slack is unreachable at start, and in Socket Mode when a /downloads path has a malformed
  // %-escape (its route matcher throws outside any handler): logged, not fatal.
  lifecycle = createLifecycle(logger, { deadlineMs: STOP_DEADLINE_MS });
  await start(config, logger, redisPassword, lifecycle);
} catch (error) {
  await lifecycle?.stop('failed start');
  const e = asAppError(error);
  process.stderr.write(`bootc-iso: ${e.code === 'INTERNAL' ? String(error) : e.message}\n`);
  process.exit(1);
}
