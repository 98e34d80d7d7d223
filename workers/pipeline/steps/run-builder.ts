import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildPodmanRunArgs, containerNameFor, LABELS } from '../../../src/domain/bib-args.ts';
import { toBibConfigToml } from '../../../src/domain/bib-config.ts';
import { BibProgressParser } from '../../../src/domain/bib-progress.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { type BuilderRun, planRuns, requestedTypes } from '../../../src/domain/image-runs.ts';
import { outputPathFor } from '../../../src/domain/image-types.ts';
import { type AttemptPaths, type BuildContext, required } from '../build-context.ts';
import type { Step } from '../step.ts';
import { sourceMoved } from './check-source.ts';

/** Lines of builder output kept for the error shown to the requester (the whole output is in the build log). */
const LOG_TAIL_LINES = 30;
/** Longest line kept in that tail: it ends up in a Slack message and a job's data. */
export const TAIL_LINE_CHARS = 500;

export type RunBuilderContext = Pick<
  BuildContext,
  'buildId' | 'request' | 'podman' | 'logger' | 'signal' | 'progress' | 'fence'
> & {
  settings: Pick<BuildContext['settings'], 'workerName'> & {
    worker: Pick<BuildContext['settings']['worker'], 'containerStorage' | 'storeCache' | 'rpmmdCache'> & {
      timeouts: { buildSeconds: number };
    };
  };
  state: Pick<
    BuildContext['state'],
    'paths' | 'log' | 'pulled' | 'outputs' | 'reused' | 'derived' | 'reusedImages'
  >;
};

/**
 * The attempt's container: named per attempt, so an attempt that lost its lock and stops its container can never
 * stop the one its build's next attempt runs on the same podman.
 */
export function containerOf(ctx: Pick<RunBuilderContext, 'buildId' | 'fence'>): string {
  const name = containerNameFor(ctx.buildId);
  return ctx.fence ? `${name}-${ctx.fence.tag}` : name;
}

/** Where one run reads its config and writes its output: the attempt's own for the first run, numbered after. */
export function runPaths(paths: AttemptPaths, run: BuilderRun): AttemptPaths {
  if (run.index === 1) return paths;
  return {
    ...paths,
    configToml: join(paths.root, `config-${run.index}.toml`),
    outputDir: join(paths.root, `output-${run.index}`),
  };
}

/** The runs still to make: every type asked for, less those an earlier identical build answered. */
export function runsToMake(ctx: Pick<RunBuilderContext, 'request' | 'state'>): BuilderRun[] {
  const answered = new Set((ctx.state.reusedImages ?? []).map((a) => a.type));
  return planRuns(requestedTypes(ctx.request).filter((t) => !answered.has(t)));
}

/** The argv of the builder run, exactly as documented for BIB ISO builds, plus our name and labels. */
export function builderArgs(
  ctx: RunBuilderContext,
  paths: AttemptPaths,
  run: BuilderRun = { index: 1, family: 'iso', types: [ctx.request.type] },
): string[] {
  const { request, settings } = ctx;
  return buildPodmanRunArgs({
    containerName: containerOf(ctx),
    labels: { [LABELS.managed]: 'true', [LABELS.build]: ctx.buildId, [LABELS.host]: settings.workerName },
    configPath: paths.configToml,
    outputDir: paths.outputDir,
    containerStorage: settings.worker.containerStorage,
    ...(settings.worker.storeCache ? { storeDir: settings.worker.storeCache } : {}),
    ...(settings.worker.rpmmdCache ? { rpmmdDir: settings.worker.rpmmdCache } : {}),
    builderImage: request.builder.image,
    type: run.types,
    // The builder needs a tag (it writes it into the installed system as the image to follow); that the tag is
    // still the digest we pulled is checked right before the run. A derived image is handed over by its local tag.
    sourceRef: ctx.state.derived?.ref ?? request.source,
    ...(request.rootfs ? { rootfs: request.rootfs } : {}),
    ...(request.installerPayloadRef ? { installerPayloadRef: request.installerPayloadRef } : {}),
    // We pulled (and recorded the digest of) the builder a moment ago with the right credentials; `never` makes
    // sure the image that runs is the one recorded, and that podman run needs no registry access of its own.
    pull: 'never',
  });
}

/**
 * Runs the builder once per planned run (all disk types together, each ISO type alone): writes that run's
 * config.toml, runs the builder, streams its output to the build log and to progress, and records what it wrote.
 */
export const runBuilder: Step<RunBuilderContext> = {
  name: 'run-builder',
  shows: 'build',
  timing: 'build',
  describe: () => 'starting bootc-image-builder',
  skip: (ctx) => (ctx.state.reused ? 'answered by an identical build' : undefined),
  // podman's own limit stops each run first; this one catches a podman that does not come back.
  timeoutMs: (ctx) =>
    (ctx.settings.worker.timeouts.buildSeconds + 120) * 1000 * Math.max(1, runsToMake(ctx).length),
  async run(ctx) {
    const runs = runsToMake(ctx);
    const outputs: NonNullable<RunBuilderContext['state']['outputs']> = [];
    for (const run of runs) {
      if (runs.length > 1)
        ctx.state.log?.line(`== builder run ${run.index} of ${runs.length}: ${run.types.join(', ')}`);
      outputs.push(...(await runOnce(ctx, run)));
    }
    ctx.state.outputs = outputs;
  },
};

async function runOnce(
  ctx: RunBuilderContext,
  run: BuilderRun,
): Promise<{ type: BuilderRun['types'][number]; path: string }[]> {
  const paths = runPaths(required(ctx.state.paths, 'paths'), run);
  const pulled = required(ctx.state.pulled, 'pulled');
  const log = ctx.state.log;
  ctx.progress({
    step: 'build',
    message: `starting bootc-image-builder (${run.types.join(', ')})`,
    percent: 0,
  });
  await mkdir(paths.outputDir, { recursive: true, mode: 0o700 });
  await writeFile(paths.configToml, toBibConfigToml(ctx.request.customizations, run.family), { mode: 0o600 });
  const args = builderArgs(ctx, paths, run);
  // A container of this attempt's name still here is a dead run's: it must go, or the name is taken.
  await ctx.podman.removeContainer(containerOf(ctx));
  // Another build on this host may have pulled the same tag since: the builder must get what was recorded.
  const derived = ctx.state.derived;
  const ref = derived?.ref ?? ctx.request.source;
  const expected = derived?.digest ?? pulled.sourceDigest;
  const now = await ctx.podman.imageDigest(ref);
  if (now !== expected) throw sourceMoved(ref, expected, now);
  const parser = new BibProgressParser();
  const tail: string[] = [];
  ctx.logger.info({ argv: args }, 'running builder');
  log?.command(['podman', ...args]);
  let result: { exitCode: number };
  try {
    result = await ctx.podman.runContainer(args, {
      containerName: containerOf(ctx),
      timeoutMs: ctx.settings.worker.timeouts.buildSeconds * 1000,
      signal: ctx.signal,
      onLine: (line) => {
        log?.line(line);
        tail.push(line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)}…` : line);
        if (tail.length > LOG_TAIL_LINES) tail.shift();
        const event = parser.push(line);
        if (event) ctx.progress({ step: 'build', message: event.message, percent: event.percent });
      },
    });
  } catch (error) {
    if (error instanceof AppError)
      throw new AppError(error.code, error.message, { cause: error, logTail: tail });
    throw error;
  }
  if (result.exitCode !== 0) {
    const last = tail.findLast((l) => /error/i.test(l)) ?? tail.at(-1) ?? 'no output';
    throw new AppError('BUILDER_FAILED', `bootc-image-builder exited with code ${result.exitCode}: ${last}`, {
      logTail: tail,
    });
  }
  const outputs: { type: BuilderRun['types'][number]; path: string }[] = [];
  for (const type of run.types) {
    const path = join(paths.outputDir, outputPathFor(type));
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (size === 0) {
      throw new AppError(
        'BUILDER_FAILED',
        `bootc-image-builder finished but wrote no ${outputPathFor(type)}`,
        {
          logTail: tail,
        },
      );
    }
    outputs.push({ type, path });
  }
  return outputs;
}
