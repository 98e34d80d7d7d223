import type { Config } from '../config/load-config.ts';
import { sharedLocalStore } from '../local/open-local-store.ts';
import type { BuildQueues } from '../queue/build-producer.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { createS3Store } from '../storage/s3-store.ts';
import { APPROVE_USAGE, DENY_USAGE, runApproveCommand } from './approve-command.ts';
import { AUDIT_USAGE, runAuditCommand } from './audit-command.ts';
import { CACHE_USAGE, runCacheCommand } from './cache-command.ts';
import type { OperatorAudit } from './cli-audit.ts';
import type { Output } from './follow-build.ts';
import { JOB_USAGE, runJobCommand } from './job-command.ts';
import { JOBS_USAGE, runJobsCommand } from './jobs-command.ts';
import { RETRY_USAGE, runRetryCommand } from './retry-command.ts';
import { runWorkersCommand, WORKERS_USAGE } from './workers-command.ts';

/** The operator commands, dispatched by src/bin/cli.ts. */
export const OPS_USAGES = {
  jobs: JOBS_USAGE,
  job: JOB_USAGE,
  retry: RETRY_USAGE,
  workers: WORKERS_USAGE,
  cache: CACHE_USAGE,
  audit: AUDIT_USAGE,
  approve: APPROVE_USAGE,
  deny: DENY_USAGE,
} as const;
export type OpsCommand = keyof typeof OPS_USAGES;

export function isOpsCommand(command: string): command is OpsCommand {
  return Object.hasOwn(OPS_USAGES, command);
}

export interface OpsContext {
  config: Config;
  queues: BuildQueues;
  out: Output;
  err: Output;
  /** Defaults to S3 from the config, when S3_BUCKET is set (`job --logs` and `cache` need it). */
  store?: ArtifactStore;
  /** Records builds, cancels, retries and approvals with the OS user and host. */
  audit?: OperatorAudit;
}

/** Runs one operator command; returns the exit code. */
export async function runOpsCommand(command: OpsCommand, argv: string[], ctx: OpsContext): Promise<number> {
  switch (command) {
    case 'jobs':
      return runJobsCommand(argv, ctx);
    case 'job': {
      const store = ctx.store ?? (ctx.config.s3 ? createS3Store(ctx.config.s3) : undefined);
      return runJobCommand(argv, { ...ctx, store });
    }
    case 'retry':
      return runRetryCommand(argv, ctx);
    case 'workers':
      return runWorkersCommand(argv, ctx);
    case 'cache': {
      const store =
        ctx.store ?? (ctx.config.s3 ? createS3Store(ctx.config.s3) : await sharedLocalStore(ctx.config));
      return runCacheCommand(argv, { store, out: ctx.out });
    }
    case 'approve':
    case 'deny':
      return runApproveCommand(command, argv, { redis: ctx.queues.connection, ...ctx });
    case 'audit': {
      const store = ctx.store ?? (ctx.config.s3 ? createS3Store(ctx.config.s3) : undefined);
      return runAuditCommand(argv, { redis: ctx.queues.connection, store, out: ctx.out });
    }
  }
}
