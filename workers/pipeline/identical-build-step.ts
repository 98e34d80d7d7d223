import type { IdenticalBuildInputs } from '../../src/domain/identical-build.ts';
import type { BuildResult, StepTimings } from '../../src/queue/build-job.ts';
import { artifactKeys } from '../../src/storage/artifact-store.ts';
import { findCachedBuild, recordCachedBuild } from '../../src/storage/build-cache.ts';
import type { BuildContext } from './build-context.ts';
import { withUploadRetries } from './upload-artifacts.ts';

/** Thrown when an identical build is running elsewhere: the job waits for it instead of building the same ISO. */
export class WaitForIdenticalBuild extends Error {
  override readonly name = 'WaitForIdenticalBuild';
  readonly holder: string;
  constructor(holder: string) {
    super(`an identical build (${holder}) is running; this build will get its ISO`);
    this.holder = holder;
  }
}

export interface Pulled {
  sourceDigest: string;
  builderDigest: string;
}

/**
 * Answers the build from an earlier identical one when its artifacts are still there: no builder run, a fresh link.
 * The build still gets its own log and manifest (pointing at the reused ISO), so everything that reads a build's
 * objects by its id keeps working. A failed look-up is a miss: the build goes on.
 */
export async function reuseIdenticalBuild(
  ctx: BuildContext,
  key: string,
  pulled: Pulled,
  timings: StepTimings,
): Promise<BuildResult | undefined> {
  const started = performance.now();
  const lookup = await findCachedBuild(ctx.store, key).catch((error: unknown) => {
    ctx.logger.warn({ error: String(error) }, 'identical-build look-up failed; building');
    return undefined;
  });
  // Added up: a build looks once before claiming the key and once after.
  timings.cacheLookup = (timings.cacheLookup ?? 0) + Math.round(performance.now() - started);
  if (!lookup?.hit) {
    if (lookup) ctx.logger.info({ cacheKey: key, why: lookup.why }, 'no identical build to reuse');
    return undefined;
  }
  const earlier = lookup.build;
  // If this build waited for the identical one, its wait is over.
  await ctx.claims?.clearWaiting(ctx.buildId).catch(() => undefined);
  ctx.progress({ step: 'link', message: `reusing the ISO of identical build ${earlier.buildId}` });
  const keys = artifactKeys(ctx.buildId);
  const finishedAt = new Date().toISOString();
  const note = `No build ran: the ISO of identical build ${earlier.buildId} (finished ${earlier.finishedAt}) was reused.\nIts build log: ${earlier.logKey}\nIdentical-build key: ${key}\n`;
  await withUploadRetries(ctx, keys.log, () =>
    ctx.store.putObject(keys.log, note, 'text/plain; charset=utf-8'),
  );
  const link = await ctx.store.presignGet(earlier.iso.key, {
    ttlSeconds: ctx.settings.linkTtlSeconds,
    filename: earlier.iso.filename,
  });
  const manifest = {
    schemaVersion: 1,
    buildId: ctx.buildId,
    reusedFrom: { buildId: earlier.buildId, manifestKey: earlier.manifestKey },
    identicalBuildKey: key,
    request: ctx.request,
    source: { image: ctx.request.source, digest: pulled.sourceDigest },
    builder: { image: ctx.request.builder.image, digest: pulled.builderDigest },
    iso: earlier.iso,
    log: { key: keys.log },
    worker: { host: ctx.settings.workerName, attempt: ctx.attempt },
    timings,
    finishedAt,
  };
  await withUploadRetries(ctx, keys.manifest, () =>
    ctx.store.putObject(keys.manifest, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json'),
  );
  ctx.logger.info({ cacheKey: key, reusedFrom: earlier.buildId }, 'answered from an identical build');
  return {
    buildId: ctx.buildId,
    iso: earlier.iso,
    logKey: keys.log,
    manifestKey: keys.manifest,
    link: { url: link.url, expiresAt: link.expiresAt.toISOString() },
    sourceImage: ctx.request.source,
    sourceDigest: pulled.sourceDigest,
    builderImage: ctx.request.builder.image,
    builderDigest: pulled.builderDigest,
    workerHost: ctx.settings.workerName,
    timings,
    finishedAt,
    reusedFrom: earlier.buildId,
  };
}

/**
 * Claims the key for this build, or throws WaitForIdenticalBuild when another build holds it. The claim is renewed
 * while the build runs; the returned function releases it (call it whatever the outcome).
 */
export async function claimIdenticalBuild(ctx: BuildContext, key: string): Promise<() => Promise<void>> {
  const claims = ctx.claims;
  if (!claims) return async () => undefined;
  const holder = await claims.claim(key, ctx.buildId);
  if (holder) {
    await claims.markWaiting(ctx.buildId, key);
    throw new WaitForIdenticalBuild(holder);
  }
  await claims.clearWaiting(ctx.buildId);
  // The claim lives as long as a job lock: a dead host's claim lapses about when its build is taken over.
  const renewEvery = Math.max(1000, Math.floor((ctx.settings.worker.lockSeconds * 1000) / 3));
  const timer = setInterval(() => {
    claims.renew(key, ctx.buildId).catch((error: unknown) => {
      ctx.logger.warn({ error: String(error) }, 'could not renew the identical-build claim');
    });
  }, renewEvery);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await claims.release(key, ctx.buildId).catch((error: unknown) => {
      ctx.logger.warn({ error: String(error) }, 'could not release the identical-build claim');
    });
  };
}

/** Best effort, one attempt: a build whose entry could not be written is still a good build, only not reusable. */
export async function recordForReuse(
  ctx: BuildContext,
  key: string,
  inputs: IdenticalBuildInputs,
  manifestKey: string,
): Promise<void> {
  await recordCachedBuild(ctx.store, { key, buildId: ctx.buildId, manifestKey, inputs }).catch(
    (error: unknown) => {
      ctx.logger.warn({ error: String(error) }, 'could not record the build for reuse');
    },
  );
}
