import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { QueueEvents } from 'bullmq';
import type { Config } from '../config/load-config.ts';
import { parseBibConfigToml } from '../domain/bib-config.ts';
import { newBuildId } from '../domain/build-id.ts';
import type { BuildRequestInput, Customizations } from '../domain/build-request.ts';
import { requiredCapabilities } from '../domain/capabilities.ts';
import { AppError } from '../domain/errors.ts';
import { hostArch } from '../domain/host-arch.ts';
import { applyPresetDefaults } from '../domain/preset-defaults.ts';
import { quoteForMessage } from '../domain/text-rules.ts';
import { validateBuildRequest } from '../domain/validate-build-request.ts';
import { type BuildQueues, enqueueBuild } from '../queue/build-producer.ts';
import { createRedis, describeRedis, whenRedisReady } from '../queue/connection.ts';
import { buildQueueName, QUEUE_PREFIX } from '../queue/names.ts';
import type { OperatorAudit } from './cli-audit.ts';
import { type BuildOutcome, followBuild, type Output } from './follow-build.ts';
import { artifactLines } from './format-ops.ts';
import { type BuildCliOptions, parseBuildArgs } from './parse-build-args.ts';
import { warnWhenNoWorker } from './workers-command.ts';

export interface BuildCommandDeps {
  config: Config;
  queues: BuildQueues;
  out: Output;
  /** Where warnings go (a build for an arch with no live worker); none when unset. */
  err?: Output;
  /** Starts an in-process worker for --local; returns its stop function. */
  startLocalWorker?: () => Promise<() => Promise<void>>;
  /** Records the build (OS user, host) before it is queued. */
  audit?: OperatorAudit;
}

async function readUserFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError(
      'INVALID_REQUEST',
      `${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
}

/** Turns CLI options into a request: presets, defaults and files resolved, nothing validated yet (enqueue does). */
export async function toBuildRequestInput(opts: BuildCliOptions, config: Config): Promise<BuildRequestInput> {
  // Own keys only: `--preset constructor` must be an unknown preset, not Object's constructor.
  const preset =
    opts.preset && Object.hasOwn(config.presets, opts.preset) ? config.presets[opts.preset] : undefined;
  if (opts.preset && !preset) {
    const names = Object.keys(config.presets).join(', ') || 'none configured';
    throw new AppError(
      'INVALID_REQUEST',
      `unknown preset ${quoteForMessage(opts.preset)}; presets: ${names}`,
      {
        field: 'preset',
      },
    );
  }
  const builderName = opts.builder ?? preset?.builder ?? config.defaultBuilder;
  const builder = Object.hasOwn(config.builders, builderName) ? config.builders[builderName] : undefined;
  if (!builder) {
    const names = Object.keys(config.builders).join(', ');
    throw new AppError(
      'INVALID_REQUEST',
      `unknown builder ${quoteForMessage(builderName)}; builders: ${names}`,
      {
        field: 'builder',
      },
    );
  }
  let customizations: Customizations | undefined;
  if (opts.configFile) customizations = parseBibConfigToml(await readUserFile(opts.configFile, '--config'));
  const fromFlags = opts.request.customizations;
  const merged = {
    ...customizations,
    ...fromFlags,
    users: [...(customizations?.users ?? []), ...(fromFlags?.users ?? [])],
    fips: Boolean(customizations?.fips || fromFlags?.fips),
    ...(opts.kickstartFile ? { kickstart: await readUserFile(opts.kickstartFile, '--kickstart') } : {}),
    ...(customizations?.kernelAppend && fromFlags?.kernelAppend
      ? { kernelAppend: `${customizations.kernelAppend} ${fromFlags.kernelAppend}` }
      : {}),
  };
  // Read only when it applies: a Containerfile of the person's own replaces the preset's.
  const ownContainerfile = opts.containerfileFile
    ? await readUserFile(opts.containerfileFile, '--containerfile')
    : undefined;
  const presetContainerfile =
    ownContainerfile === undefined && preset?.containerfile
      ? await readUserFile(preset.containerfile, `preset ${opts.preset} containerfile`)
      : undefined;
  const fields = applyPresetDefaults(
    {
      types: opts.typesGiven ? (opts.request.types ?? [opts.request.type]) : [],
      containerfile: ownContainerfile,
    },
    preset && { ...preset, containerfileText: presetContainerfile },
  );
  const { type: _type, types: _types, ...request } = opts.request;
  return {
    ...request,
    ...fields,
    source: opts.image ?? preset?.image ?? '',
    ...(opts.preset ? { preset: opts.preset } : {}),
    builder: { name: builderName, image: builder.image },
    arch: (opts.request.arch ?? hostArch()) as BuildRequestInput['arch'],
    customizations: merged,
    requester: { kind: 'cli', user: userInfo().username.slice(0, 64) },
    requestedAt: new Date().toISOString(),
  };
}

export function printOutcome(out: Output, outcome: BuildOutcome, json: boolean): void {
  if (json) {
    out.write(
      `${JSON.stringify(outcome.ok ? outcome.result : { buildId: outcome.buildId, error: outcome.error })}\n`,
    );
    return;
  }
  if (!outcome.ok) return;
  const r = outcome.result;
  out.write(
    [
      r.reusedFrom
        ? `build ${r.buildId} answered by identical build ${r.reusedFrom} (no builder run; --rebuild for a fresh one)`
        : `build ${r.buildId} complete on ${r.workerHost}`,
      `  download: ${r.link.url}`,
      `  expires:  ${r.link.expiresAt}`,
      `  sha256:   ${r.iso.sha256}`,
      `  size:     ${r.iso.size} bytes (${(r.iso.size / 1024 ** 2).toFixed(1)} MiB)`,
      `  source:   ${r.sourceImage}@${r.sourceDigest}`,
      `  builder:  ${r.builderImage}@${r.builderDigest}`,
      ...artifactLines(r).map((l) => `  ${l}`),
      '',
    ].join('\n'),
  );
}

/** Tells a person why a followed build failed, and where to go from there; never a stack trace. */
export function printFailure(err: Output, outcome: Extract<BuildOutcome, { ok: false }>): void {
  const { buildId, error } = outcome;
  err.write(`bootc-iso: build ${buildId} failed: ${error.message}\n`);
  if (error.logTail.length) err.write(`last builder output:\n  ${error.logTail.join('\n  ')}\n`);
  err.write(`whole log: bootc-iso job ${buildId} --logs; build it again: bootc-iso retry ${buildId}\n`);
}

/** `bootc-iso build`: returns the process exit code; errors for the person are thrown as AppError. */
export async function runBuildCommand(
  argv: string[],
  deps: BuildCommandDeps,
): Promise<BuildOutcome | undefined> {
  const opts = parseBuildArgs(argv);
  const input = await toBuildRequestInput(opts, deps.config);
  const policy = {
    allowedRegistries: deps.config.allowedRegistries,
    builders: deps.config.builders,
    presets: deps.config.presets,
  };
  const retry = { attempts: deps.config.worker.attempts, backoffSeconds: deps.config.worker.backoffSeconds };
  // Refuse bad input before touching Redis: the person gets the field error even when the queue is down.
  const validated = validateBuildRequest(input, policy);
  const { arch } = validated;
  // RHEL ISOs need an entitled host: they go to (and are followed on) that queue.
  const requires = requiredCapabilities(validated, policy);
  if (opts.local && arch !== hostArch()) {
    throw new AppError(
      'INVALID_REQUEST',
      `--local builds for this host's ${hostArch()} only; drop --arch ${arch}`,
      {
        field: 'arch',
      },
    );
  }
  if (opts.local && requires.length > 0) await refuseUnlessLocalHostServes(requires, deps.config);
  await whenRedisReady(deps.queues.connection, deps.config.redis);
  // Subscribe before queueing so no progress event is missed.
  const eventsConnection = createRedis(deps.config.redis, 'worker');
  const events = new QueueEvents(buildQueueName(arch, requires), {
    connection: eventsConnection,
    prefix: QUEUE_PREFIX,
  });
  const stopLocal = opts.local && deps.startLocalWorker ? await deps.startLocalWorker() : undefined;
  try {
    await events.waitUntilReady();
    await warnWhenNoWorker(deps.queues.connection, arch, deps.err, {
      detached: opts.detach || opts.local,
      redisDescription: describeRedis(deps.config.redis),
      requires,
    });
    const chosen = newBuildId();
    await deps.audit?.({ action: 'build', buildId: chosen, target: input.preset ?? input.source });
    const { buildId, ahead } = await enqueueBuild(deps.queues, input, policy, retry, {
      buildId: chosen,
      routing: deps.config.routing,
    });
    if (!opts.json) deps.out.write(`queued build ${buildId} (${ahead} ahead of it)\n`);
    if (opts.detach) {
      if (opts.json) deps.out.write(`${JSON.stringify({ buildId, ahead })}\n`);
      return undefined;
    }
    // Progress goes to stderr, so stdout carries only the result (and pipes get just that).
    const outcome = await followBuild(
      deps.queues.get(arch, requires),
      events,
      buildId,
      deps.err ?? deps.out,
      opts.json,
    );
    printOutcome(deps.out, outcome, opts.json);
    return outcome;
  } finally {
    await events.close();
    eventsConnection.disconnect();
    await stopLocal?.();
  }
}

/** A --local build only this host runs: one that needs what the host lacks would wait for ever. */
async function refuseUnlessLocalHostServes(requires: readonly string[], config: Config): Promise<void> {
  const { hostCapabilities, readEntitlementFacts } = await import('../../workers/host-capabilities.ts');
  const host = hostCapabilities(config.worker.capabilities, await readEntitlementFacts());
  const missing = requires.filter((c) => !host.capabilities.some((has) => has === c));
  if (missing.length === 0) return;
  const why = host.entitlementProblems[0] ?? 'worker.capabilities leaves it out';
  throw new AppError(
    'INVALID_REQUEST',
    `--local: this host cannot build it: the ISO needs ${missing.join(', ')}, a registered RHEL host (${why}); drop --local to queue it for an entitled host`,
  );
}
