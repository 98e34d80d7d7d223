import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/load-config.ts';
import type { Logger } from '../logger.ts';
import type { BuildQueues } from '../queue/build-producer.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import type { AuditLog } from './access/audit-log.ts';
import type { BuildRecords } from './build-records.ts';
import type { SyncJobData } from './notify/event-bridge.ts';
import type { PresetContainerfiles } from './preset-containerfiles.ts';
import type { SlackPoster } from './slack-poster.ts';

/** What every Slack handler may use; built once in the bot's composition root. */
export interface SlackDeps {
  config: Config;
  queues: BuildQueues;
  records: BuildRecords;
  notify: Queue<SyncJobData>;
  /** Publishes cancel requests to the workers. */
  publisher: Redis;
  poster: SlackPoster;
  /** Present when the bot has S3 settings: fresh links and log links need it. */
  store: ArtifactStore | undefined;
  logger: Logger;
  /** The configured user groups this person is in (cached Slack lookup). */
  groupsOf: (userId: string) => Promise<string[]>;
  /** Whether a person is in a channel (cached Slack lookup; false when it cannot be read). */
  isChannelMember: (channelId: string, userId: string) => Promise<boolean>;
  audit: AuditLog;
  /** The presets' Containerfiles, read once at start (a preset's derived image is not the requester's own). */
  presetContainerfiles?: PresetContainerfiles;
}

export function buildPolicy(config: Config) {
  return { allowedRegistries: config.allowedRegistries, builders: config.builders, presets: config.presets };
}

export function retryPolicy(config: Config) {
  return { attempts: config.worker.attempts, backoffSeconds: config.worker.backoffSeconds };
}
