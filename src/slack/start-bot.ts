import { Worker } from 'bullmq';
import type { Config } from '../config/load-config.ts';
import { ARCHES } from '../domain/build-request.ts';
import { AppError } from '../domain/errors.ts';
import { createBotOps } from '../http/bot-ops.ts';
import type { Logger } from '../logger.ts';
import { BuildQueues } from '../queue/build-producer.ts';
import { createRedis, whenRedisReady } from '../queue/connection.ts';
import { QUEUE_PREFIX } from '../queue/names.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { createS3Store } from '../storage/s3-store.ts';
import { configuredGroups } from './access/access-policy.ts';
import { createAuditLog } from './access/audit-log.ts';
import { createChannelMembers } from './access/channel-members.ts';
import { createGroupResolver } from './access/user-groups.ts';
import { createBackgroundTasks } from './background/background-tasks.ts';
import { createLiveArchesCache } from './background/live-arches-cache.ts';
import { BuildRecords } from './build-records.ts';
import { createSlackApp, type ExtraRoute } from './create-app.ts';
import { registerAppHomeOpened } from './handlers/app-home-opened.ts';
import { startApprovalSweep } from './handlers/approval-actions.ts';
import { registerCommand } from './handlers/command.ts';
import type { HandlerDeps } from './handlers/handler-deps.ts';
import { registerHomeBuildButton } from './handlers/home-build-button.ts';
import { registerInteractions } from './handlers/interactions.ts';
import {
  createNotifyQueue,
  NOTIFY_QUEUE,
  type SyncJobData,
  startEventBridge,
} from './notify/event-bridge.ts';
import { syncBuild } from './notify/sync-build.ts';
import { readPresetContainerfiles } from './preset-containerfiles.ts';
import type { SlackDeps } from './slack-deps.ts';
import { createSlackPoster } from './slack-poster.ts';

/**
 * Wiring of the Slack bot: Bolt app, handlers, the notify worker and the event bridge. It needs Redis and Slack
 * tokens; no podman, no registry secrets. Called by src/bin/bot.ts and by the all-in-one `npm start`.
 */
export async function startBot(
  config: Config,
  logger: Logger,
  options: { store?: ArtifactStore; routes?: ExtraRoute[] } = {},
) {
  const slack = config.slack;
  if (!slack) throw new AppError('CONFIG_INVALID', 'Slack settings are missing');
  const onRedisError = (error: Error) =>
    logger.warn({ error: error.message }, 'redis connection error; retrying');
  const connection = createRedis(config.redis, 'producer', onRedisError);
  await whenRedisReady(connection, config.redis, 15_000);
  const blocking = createRedis(config.redis, 'worker', onRedisError);
  const queues = new BuildQueues(connection);
  const notify = createNotifyQueue(connection);
  // /metrics, /readyz and the optional /admin/queues dashboard, on the bot's port (src/http/bot-ops.ts).
  const ops = createBotOps({
    ops: config.ops,
    redis: connection,
    queues: [...queues.all(), notify],
  });
  const store = options.store ?? (config.s3 ? createS3Store(config.s3) : undefined);

  const app = createSlackApp(
    slack,
    // /healthz is liveness (the process answers); /readyz (src/http/bot-ops.ts) also needs Redis and a started app.
    async () => ({ ok: true, detail: { redis: connection.status } }),
    [...ops.routes, ...(options.routes ?? [])],
  );
  const records = new BuildRecords(connection);
  const presetContainerfiles = await readPresetContainerfiles(config.presets);
  for (const [preset, loaded] of Object.entries(presetContainerfiles))
    if ('problem' in loaded)
      logger.warn(
        { preset, problem: loaded.problem },
        "a preset's Containerfile cannot be read; its builds are refused",
      );
  const deps: SlackDeps = {
    config,
    presetContainerfiles,
    queues,
    records,
    notify,
    publisher: connection,
    poster: createSlackPoster(app.client, logger),
    store,
    logger,
    groupsOf: createGroupResolver(app.client, configuredGroups(config.access)),
    isChannelMember: createChannelMembers(app.client),
    audit: createAuditLog({
      ...(config.access.auditLog ? { file: config.access.auditLog } : {}),
      ...(store ? { store } : {}),
      records,
      logger,
    }),
  };
  // Post-ack work of the listeners: bounded, behind the acks, drained on stop.
  const background = createBackgroundTasks({ logger });
  const handlerDeps: HandlerDeps = {
    ...deps,
    background,
    liveArches: createLiveArchesCache(connection),
  };
  for (const register of [
    registerCommand,
    registerInteractions,
    registerAppHomeOpened,
    registerHomeBuildButton,
  ]) {
    register(app, handlerDeps);
  }
  const stopApprovalSweep = startApprovalSweep(handlerDeps);
  app.error(async (error) => {
    logger.error({ error: error.message, code: (error as { code?: string }).code }, 'slack handler error');
  });

  // Every bot process consumes the notify queue; each notification is handled by exactly one of them.
  const syncDeps = { ...deps, dmOnFinish: config.notifications?.dmOnFinish === true };
  const notifier = new Worker<SyncJobData>(NOTIFY_QUEUE, (job) => syncBuild(syncDeps, job.data), {
    connection: blocking,
    prefix: QUEUE_PREFIX,
    concurrency: 4,
  });
  notifier.on('error', (error) => logger.warn({ error: error.message }, 'notify worker error'));
  const stopBridge = await startEventBridge({
    redisUrl: config.redis,
    cursors: connection,
    notify,
    arches: ARCHES,
    logger,
  });
  await app.start(slack.port);
  ops.markStarted();
  logger.info({ port: slack.port, mode: slack.appToken ? 'socket' : 'http' }, 'bot ready');

  return async () => {
    await app.stop();
    stopApprovalSweep();
    // Acked requests still owe their status post, enqueue or answer: finish them before Redis closes.
    await background.drain(15_000);
    await stopBridge();
    await notifier.close();
    await notify.close();
    await queues.close();
    blocking.disconnect();
    connection.disconnect();
  };
}
