import { createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildPodmanRunArgs, containerNameFor, LABELS } from '../../src/domain/bib-args.ts';
import { toBibConfigToml } from '../../src/domain/bib-config.ts';
import { BibProgressParser } from '../../src/domain/bib-progress.ts';
import { AppError } from '../../src/domain/errors.ts';
import { outputPathFor } from '../../src/domain/output-paths.ts';
import type { AttemptPaths, BuildContext } from './build-context.ts';

const LOG_TAIL_LINES = 30;

/** The argv of the builder run, exactly as documented for BIB ISO builds, plus our name and labels. */
export function builderArgs(ctx: BuildContext, paths: AttemptPaths): string[] {
  const { request, settings } = ctx;
  return buildPodmanRunArgs({
    containerName: containerNameFor(ctx.buildId),
    labels: { [LABELS.managed]: 'true', [LABELS.build]: ctx.buildId, [LABELS.host]: settings.workerName },
    configPath: paths.configToml,
    outputDir: paths.outputDir,
    containerStorage: settings.worker.containerStorage,
    ...(settings.worker.storeCache ? { storeDir: settings.worker.storeCache } : {}),
    ...(settings.worker.rpmmdCache ? { rpmmdDir: settings.worker.rpmmdCache } : {}),
    builderImage: request.builder.image,
    type: request.type,
    sourceRef: request.source,
    ...(request.rootfs ? { rootfs: request.rootfs } : {}),
    ...(request.installerPayloadRef ? { installerPayloadRef: request.installerPayloadRef } : {}),
    // We pulled (and recorded the digest of) the builder a moment ago with the right credentials; `never` makes
    // sure the image that runs is the one recorded, and that podman run needs no registry access of its own.
    pull: 'never',
  });
}

/** Writes config.toml, runs the builder, streams its output to the build log and to progress; returns the ISO path. */
export async function runBuilder(ctx: BuildContext, paths: AttemptPaths): Promise<string> {
  await writeFile(paths.configToml, toBibConfigToml(ctx.request.customizations), { mode: 0o600 });
  const args = builderArgs(ctx, paths);
  // A container of this build still here is a dead attempt's (this job's lock is ours now): it must go, or the
  // name is taken and its output could mix with ours.
  await ctx.podman.removeContainer(containerNameFor(ctx.buildId));
  const log = createWriteStream(paths.buildLog, { flags: 'a' });
  const parser = new BibProgressParser();
  const tail: string[] = [];
  ctx.logger.info({ argv: args }, 'running builder');
  log.write(`$ podman ${args.join(' ')}\n`);
  let result: { exitCode: number };
  try {
    result = await ctx.podman.runContainer(args, {
      containerName: containerNameFor(ctx.buildId),
      timeoutMs: ctx.settings.worker.timeouts.buildSeconds * 1000,
      signal: ctx.signal,
      onLine: (line) => {
        log.write(`${line}\n`);
        tail.push(line);
        if (tail.length > LOG_TAIL_LINES) tail.shift();
        const event = parser.push(line);
        if (event) ctx.progress({ step: 'build', message: event.message, percent: event.percent });
      },
    });
  } catch (error) {
    if (error instanceof AppError)
      throw new AppError(error.code, error.message, { cause: error, logTail: tail });
    throw error;
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
  if (result.exitCode !== 0) {
    const last = tail.findLast((l) => /error/i.test(l)) ?? tail.at(-1) ?? 'no output';
    throw new AppError('BUILDER_FAILED', `bootc-image-builder exited with code ${result.exitCode}: ${last}`, {
      logTail: tail,
    });
  }
  const iso = join(paths.outputDir, outputPathFor(ctx.request.type));
  const size = await stat(iso).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) {
    throw new AppError(
      'BUILDER_FAILED',
      `bootc-image-builder finished but wrote no ${outputPathFor(ctx.request.type)}`,
      {
        logTail: tail,
      },
    );
  }
  return iso;
}
