import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildPodmanRunArgs, containerNameFor, LABELS } from '../../../src/domain/bib-args.ts';
import { toBibConfigToml } from '../../../src/domain/bib-config.ts';
import { BibProgressParser } from '../../../src/domain/bib-progress.ts';
import { AppError } from '../../../src/domain/errors.ts';
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
  state: Pick<BuildContext['state'], 'paths' | 'log' | 'pulled' | 'outputs' | 'reused'>;
};

/**
 * The attempt's container: named per attempt, so an attempt that lost its lock and stops its container can never
 * stop the one its build's next attempt runs on the same podman.
 */
export function containerOf(ctx: Pick<RunBuilderContext, 'buildId' | 'fence'>): string {
  const name = containerNameFor(ctx.buildId);
  return ctx.fence ? `${name}-${ctx.fence.tag}` : name;
}

/** The argv of the builder run, exactly as documented for BIB ISO builds, plus our name and labels. */
export function builderArgs(ctx: RunBuilderContext, paths: AttemptPaths): string[] {
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
    type: request.type,
    // The builder needs a tag (it writes it into the installed system as the image to follow); that the tag is
    // still the digest we pulled is checked right before the run.
    sourceRef: request.source,
    ...(request.rootfs ? { rootfs: request.rootfs } : {}),
    ...(request.installerPayloadRef ? { installerPayloadRef: request.installerPayloadRef } : {}),
    // We pulled (and recorded the digest of) the builder a moment ago with the right credentials; `never` makes
    // sure the image that runs is the one recorded, and that podman run needs no registry access of its own.
    pull: 'never',
  });
}

/** Writes config.toml, runs the builder, streams its output to the build log and to progress. */
export const runBuilder: Step<RunBuilderContext> = {
  name: 'run-builder',
  shows: 'build',
  timing: 'build',
  describe: () => 'starting bootc-image-builder',
  skip: (ctx) => (ctx.state.reused ? 'answered by an identical build' : undefined),
  // podman's own limit stops the builder first; this one catches a podman that does not come back.
  timeoutMs: (ctx) => (ctx.settings.worker.timeouts.buildSeconds + 120) * 1000,
  async run(ctx) {
    const paths = required(ctx.state.paths, 'paths');
    const pulled = required(ctx.state.pulled, 'pulled');
    const log = ctx.state.log;
    ctx.progress({ step: 'build', message: 'starting bootc-image-builder', percent: 0 });
    await writeFile(paths.configToml, toBibConfigToml(ctx.request.customizations), { mode: 0o600 });
    const args = builderArgs(ctx, paths);
    // A container of this attempt's name still here is a dead run's: it must go, or the name is taken.
    await ctx.podman.removeContainer(containerOf(ctx));
    // Another build on this host may have pulled the same tag since: the builder must get what was recorded.
    const now = await ctx.podman.imageDigest(ctx.request.source);
    if (now !== pulled.sourceDigest) throw sourceMoved(ctx.request.source, pulled.sourceDigest, now);
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
      throw new AppError(
        'BUILDER_FAILED',
        `bootc-image-builder exited with code ${result.exitCode}: ${last}`,
        {
          logTail: tail,
        },
      );
    }
    const type = ctx.request.type;
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
    ctx.state.outputs = [{ type, path }];
  },
};
