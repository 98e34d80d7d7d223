import { Worker } from 'bullmq';
import { loadConfig, secretValues } from '../config/load-config.ts';
import { ARCHES } from '../domain/build-request.ts';
import { AppError, asAppError } from '../domain/errors.ts';
import { createLogger } from '../logger.ts';
import { BuildQueues } from '../queue/build-producer.ts';
import { createRedis, whenRedisReady } from '../queue/connection.ts';
import { QUEUE_PREFIX } from '../queue/names.ts';
import { BuildRecords } from '../slack/build-records.ts';
import { createSlackApp } from '../slack/create-app.ts';
import { registerCommand } from '../slack/handlers/command.ts';
import { registerInteractions } from '../slack/handlers/interactions.ts';
import {
  createNotifyQueue,
  NOTIFY_QUEUE,
  type SyncJobData,
  startEventBridge,
} from '../slack/notify/event-bridge.ts';
import { syncBuild } from '../slack/notify/sync-build.ts';
import type { SlackDeps } from '../slack/slack-deps.ts';
import { createSlackPoster } from '../slack/slack-poster.ts';
import { createS3Store } from '../storage/s3-store.ts';

/** Composition root of the Slack bot (`npm run bot`). It needs Redis and Slack tokens; no podman, no registry secrets. */
async function startBot() {
  const config = loadConfig(undefined, { role: 'bot' });
  const slack = config.slack;
  if (!slack) throw new AppError('CONFIG_INVALID', 'Slack settings are missing');
  const logger = createLogger({ level: config.logLevel, name: 'bot', secrets: secretValues(config) });
  const onRedisError = (error: Error) =>
    logger.warn({ error: error.message }, 'redis connection error; retrying');
  const connection = createRedis(config.redisUrl, 'producer', onRedisError);
  await whenRedisReady(connection, config.redisUrl, 15_000);
  const blocking = createRedis(config.redisUrl, 'worker', onRedisError);
  const queues = new BuildQueues(connection);
  const notify = createNotifyQueue(connection);
  const store = config.s3 ? createS3Store(config.s3) : undefined;

  const app = createSlackApp(slack, async () => ({
    ok: connection.status === 'ready',
    detail: { redis: connection.status },
  }));
  const deps: SlackDeps = {
    config,
    queues,
    records: new BuildRecords(connection),
    notify,
    publisher: connection,
    poster: createSlackPoster(app.client, logger),
    store,
    logger,
  };
  registerCommand(app, deps);
  registerInteractions(app, deps);
  app.error(async (error) => {
    logger.error({ error: error.message, code: (error as { code?: string }).code }, 'slack handler error');
  });

  // Every bot process consumes the notify queue; each notification is handled by exactly one of them.
  const notifier = new Worker<SyncJobData>(NOTIFY_QUEUE, (job) => syncBuild(deps, job.data), {
    connection: blocking,
    prefix: QUEUE_PREFIX,
    concurrency: 4,
  });
  notifier.on('error', (error) => logger.warn({ error: error.message }, 'notify worker error'));
  const stopBridge = await startEventBridge({
    redisUrl: config.redisUrl,
    cursors: connection,
    notify,
    arches: ARCHES,
    logger,
  });
  await app.start(slack.port);
  logger.info({ port: slack.port, mode: slack.appToken ? 'socket' : 'http' }, 'bot ready');

  return async () => {
    await app.stop();
    await stopBridge();
    await notifier.close();
    await notify.close();
    await queues.close();
    blocking.disconnect();
    connection.disconnect();
  };
}

try {
  const stop = await startBot();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
} catch (error) {
  const e = asAppError(error);
  process.stderr.write(`bootc-iso bot: ${e.code === 'INTERNAL' ? String(error) : e.message}\n`);
  process.exit(1);
}
