import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { identicalBuildInputs, identicalBuildKey } from '../../src/domain/identical-build.ts';
import type { BuildResult } from '../../src/queue/build-job.ts';
import { artifactKeys } from '../../src/storage/artifact-store.ts';
import type { AttemptPaths, BuildContext } from './build-context.ts';
import {
  claimIdenticalBuild,
  type Pulled,
  recordForReuse,
  reuseIdenticalBuild,
  WaitForIdenticalBuild,
} from './identical-build-step.ts';
import { checkFreeDisk, preflight } from './preflight.ts';
import { loginToRegistries, pullImage } from './registry-access.ts';
import { runBuilder } from './run-builder.ts';
import { uploadIso, withUploadRetries } from './upload-artifacts.ts';

async function prepareAttempt(ctx: BuildContext): Promise<AttemptPaths> {
  const root = join(ctx.settings.worker.workDir, ctx.buildId, `attempt-${ctx.attempt}`);
  await rm(root, { recursive: true, force: true });
  const outputDir = join(root, 'output');
  await mkdir(outputDir, { recursive: true, mode: 0o700 });
  const authFile = join(root, 'auth.json');
  // podman refuses an --authfile that does not exist; start empty and private.
  await writeFile(authFile, '{}', { mode: 0o600 });
  return {
    root,
    authFile,
    outputDir,
    configToml: join(root, 'config.toml'),
    buildLog: join(root, 'build.log'),
  };
}

/** A failed build's log is what the requester needs most: store it (best effort) before the directory goes. */
async function keepFailedLog(ctx: BuildContext, paths: AttemptPaths): Promise<void> {
  const key = artifactKeys(ctx.buildId).log;
  await ctx.store
    .uploadFile(key, paths.buildLog, { contentType: 'text/plain; charset=utf-8' })
    .catch((error: unknown) =>
      ctx.logger.debug({ error: String(error) }, 'no build log kept for the failed build'),
    );
}

/** Runs one attempt of one build end to end. The work directory is removed whatever happens. */
export async function runBuild(ctx: BuildContext): Promise<BuildResult> {
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      timings[step] = Math.round(performance.now() - start);
    }
  };
  const { request } = ctx;
  const host = ctx.settings.workerName;
  const paths = await prepareAttempt(ctx);
  try {
    ctx.progress({ step: 'preflight', message: `checking build host ${host}` });
    const checks = await timed('preflight', () => preflight(ctx));

    ctx.progress({ step: 'login', message: 'logging in to registries' });
    const images = [
      request.builder.image,
      request.source,
      ...(request.installerPayloadRef ? [request.installerPayloadRef] : []),
    ];
    const registries = await timed('login', () => loginToRegistries(ctx, images, paths.authFile));

    const pulled = await pullImages(ctx, paths.authFile, timed);
    await checkFreeDisk(ctx, ' after pulling the images');
    const { builderDigest, sourceDigest } = pulled;
    const inputs = identicalBuildInputs(request, {
      source: sourceDigest,
      builder: builderDigest,
      ...(pulled.payloadDigest ? { payload: pulled.payloadDigest } : {}),
    });
    const cacheKey = identicalBuildKey(inputs);
    if (!request.rebuild) {
      const reused = await reuseIdenticalBuild(ctx, cacheKey, pulled, timings);
      if (reused) return reused;
    }
    // "Rebuild anyway" skips the wait as well: the requester asked for a build of their own.
    const release = request.rebuild ? async () => undefined : await claimIdenticalBuild(ctx, cacheKey);
    try {
      if (!request.rebuild) {
        // An identical build may have finished (recorded, then released its claim) between the look-up and the
        // claim: look once more before building the same ISO again.
        const reused = await reuseIdenticalBuild(ctx, cacheKey, pulled, timings);
        if (reused) return reused;
      }
      ctx.progress({ step: 'build', message: 'starting bootc-image-builder', percent: 0 });
      const isoPath = await timed('build', () => runBuilder(ctx, paths));

      const keys = artifactKeys(ctx.buildId);
      ctx.progress({ step: 'upload', message: 'uploading ISO', percent: 0 });
      const iso = await timed('upload', () => uploadIso(ctx, keys.iso, isoPath));
      const log = await withUploadRetries(ctx, keys.log, () =>
        ctx.store.uploadFile(keys.log, paths.buildLog, {
          contentType: 'text/plain; charset=utf-8',
          signal: ctx.signal,
        }),
      );

      ctx.progress({ step: 'link', message: 'creating download link' });
      const filename = `${ctx.buildId}-install.iso`;
      const link = await ctx.store.presignGet(keys.iso, {
        ttlSeconds: ctx.settings.linkTtlSeconds,
        filename,
      });
      const finishedAt = new Date().toISOString();
      const manifest = {
        schemaVersion: 1,
        buildId: ctx.buildId,
        request,
        configHash: inputs.configHash,
        identicalBuildKey: cacheKey,
        source: { image: request.source, digest: sourceDigest },
        builder: { image: request.builder.image, digest: builderDigest },
        iso: { key: iso.key, size: iso.size, sha256: iso.sha256, filename },
        log: { key: log.key, size: log.size, sha256: log.sha256 },
        worker: { host, attempt: ctx.attempt, podmanVersion: checks.podmanVersion, registries },
        timings,
        finishedAt,
      };
      // The manifest goes last: its presence marks a complete, trustworthy set of artifacts.
      await withUploadRetries(ctx, keys.manifest, () =>
        ctx.store.putObject(keys.manifest, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json'),
      );
      await recordForReuse(ctx, cacheKey, inputs, keys.manifest);
      return {
        buildId: ctx.buildId,
        iso: { key: iso.key, size: iso.size, sha256: iso.sha256, filename },
        logKey: log.key,
        manifestKey: keys.manifest,
        link: { url: link.url, expiresAt: link.expiresAt.toISOString() },
        sourceImage: request.source,
        sourceDigest,
        builderImage: request.builder.image,
        builderDigest,
        workerHost: host,
        timings,
        finishedAt,
      };
    } finally {
      await release();
    }
  } catch (error) {
    if (!(error instanceof WaitForIdenticalBuild)) await keepFailedLog(ctx, paths);
    throw error;
  } finally {
    await rm(paths.root, { recursive: true, force: true }).catch((error: unknown) => {
      ctx.logger.warn({ error: String(error), dir: paths.root }, 'could not remove work directory');
    });
    await rmdir(dirname(paths.root)).catch(() => undefined);
  }
}

/** Builder, source and payload are independent pulls: run side by side, they cost the slowest one, not the sum. */
async function pullImages(
  ctx: BuildContext,
  authFile: string,
  timed: <T>(step: string, fn: () => Promise<T>) => Promise<T>,
): Promise<Pulled & { payloadDigest?: string }> {
  const { request } = ctx;
  ctx.progress({ step: 'pull', message: `pulling ${request.builder.image} and ${request.source}` });
  const payload = request.installerPayloadRef;
  const [builderDigest, sourceDigest, payloadDigest] = await Promise.all([
    timed('pullBuilder', () => pullImage(ctx, request.builder.image, authFile)),
    timed('pullSource', () => pullImage(ctx, request.source, authFile)),
    payload ? timed('pullPayload', () => pullImage(ctx, payload, authFile)) : undefined,
  ]);
  return { builderDigest, sourceDigest, ...(payloadDigest ? { payloadDigest } : {}) };
}
