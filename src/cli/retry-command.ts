import { userInfo } from 'node:os';
import { QueueEvents } from 'bullmq';
import type { Config } from '../config/load-config.ts';
import { newBuildId } from '../domain/build-id.ts';
import type { BuildRequest, BuildRequestInput } from '../domain/build-request.ts';
import { requiredCapabilities } from '../domain/capabilities.ts';
import { validateBuildRequest } from '../domain/validate-build-request.ts';
import type { BuildQueues } from '../queue/build-producer.ts';
import { enqueueBuild } from '../queue/build-producer.ts';
import { createRedis, describeRedis } from '../queue/connection.ts';
import { findBuild } from '../queue/find-build.ts';
import { buildQueueName, QUEUE_PREFIX } from '../queue/names.ts';
import { printFailure, printOutcome } from './build-command.ts';
import type { OperatorAudit } from './cli-audit.ts';
import { type BuildOutcome, followBuild, type Output } from './follow-build.ts';
import { buildIdArg, parseOpsArgs } from './ops-args.ts';
import { warnWhenNoWorker } from './workers-command.ts';

export const RETRY_USAGE = `usage: bootc-iso retry <build-id> [--detach] [--json]

  Queues a failed (or cancelled) build's request again as a new build, checked against the current config, and
  follows it like bootc-iso build.
  --detach   queue it, print the new id and exit
  --json     machine-readable output`;

export interface RetryOptions {
  buildId: string;
  detach: boolean;
  json: boolean;
}

export function parseRetryArgs(argv: string[]): RetryOptions {
  const { values, positionals } = parseOpsArgs(
    argv,
    { detach: { type: 'boolean' }, json: { type: 'boolean' } },
    RETRY_USAGE,
  );
  return {
    buildId: buildIdArg(positionals, RETRY_USAGE),
    detach: values.detach ?? false,
    json: values.json ?? false,
  };
}

/** The old request as a new one: same image, builder, type, arch and customizations; this user, now. */
export function retryInput(old: BuildRequest, user: string, now: Date = new Date()): BuildRequestInput {
  return { ...old, requester: { kind: 'cli', user: user.slice(0, 64) }, requestedAt: now.toISOString() };
}

export interface RetryCommandDeps {
  config: Config;
  queues: BuildQueues;
  out: Output;
  err: Output;
  user?: string;
  /** Records the retry (OS user, host) before it is queued. */
  audit?: OperatorAudit;
}

/** `bootc-iso retry <id>`: 0 when the new build completes (or is queued, with --detach); 1 otherwise. */
export async function runRetryCommand(argv: string[], deps: RetryCommandDeps): Promise<number> {
  const opts = parseRetryArgs(argv);
  const found = await findBuild(deps.queues, opts.buildId);
  const refuse = (why: string) => {
    if (opts.json)
      deps.out.write(`${JSON.stringify({ buildId: opts.buildId, retried: false, reason: why })}\n`);
    deps.err.write(`bootc-iso: ${why}\n`);
    return 1;
  };
  if (!found) return refuse(`no build ${opts.buildId} (finished builds are kept for 30 days)`);
  if (found.state !== 'failed') {
    return refuse(`build ${opts.buildId} is ${found.state}; only failed or cancelled builds can be retried`);
  }
  const input = retryInput(found.job.data as BuildRequest, deps.user ?? userInfo().username);
  const policy = {
    allowedRegistries: deps.config.allowedRegistries,
    builders: deps.config.builders,
    presets: deps.config.presets,
  };
  const retry = { attempts: deps.config.worker.attempts, backoffSeconds: deps.config.worker.backoffSeconds };
  const arch = found.arch;
  // Routed by today's config: a preset may have been marked as needing an entitled host since.
  const requires = requiredCapabilities(validateBuildRequest(input, policy), policy);

  // Subscribe before queueing so no progress event is missed (as bootc-iso build does).
  const eventsConnection = createRedis(deps.config.redis, 'worker');
  const events = new QueueEvents(buildQueueName(arch, requires), {
    connection: eventsConnection,
    prefix: QUEUE_PREFIX,
  });
  try {
    await events.waitUntilReady();
    await warnWhenNoWorker(deps.queues.connection, arch, deps.err, {
      detached: opts.detach,
      redisDescription: describeRedis(deps.config.redis),
      requires,
    });
    const chosen = newBuildId();
    const target = input.preset ?? input.source;
    await deps.audit?.({ action: 'retry', buildId: opts.buildId, target: chosen });
    await deps.audit?.({ action: 'build', buildId: chosen, target, reason: `retry of ${opts.buildId}` });
    const { buildId, ahead } = await enqueueBuild(deps.queues, input, policy, retry, {
      buildId: chosen,
      routing: deps.config.routing,
    });
    if (!opts.json) deps.out.write(`retrying build ${opts.buildId} as ${buildId} (${ahead} ahead of it)\n`);
    if (opts.detach) {
      if (opts.json) deps.out.write(`${JSON.stringify({ buildId, retryOf: opts.buildId, ahead })}\n`);
      return 0;
    }
    const outcome: BuildOutcome = await followBuild(
      deps.queues.get(arch, requires),
      events,
      buildId,
      // Progress on stderr; stdout carries the result only.
      deps.err,
      opts.json,
    );
    if (opts.json) {
      const body = outcome.ok ? outcome.result : { buildId: outcome.buildId, error: outcome.error };
      deps.out.write(`${JSON.stringify({ ...body, retryOf: opts.buildId })}\n`);
    } else printOutcome(deps.out, outcome, false);
    if (!outcome.ok) {
      printFailure(deps.err, outcome);
      return 1;
    }
    return 0;
  } finally {
    await events.close();
    eventsConnection.disconnect();
  }
}
