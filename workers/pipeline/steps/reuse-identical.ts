import { identicalBuildInputs, identicalBuildKey } from '../../../src/domain/identical-build.ts';
import { isImageType } from '../../../src/domain/image-types.ts';
import type { Artifact } from '../../../src/queue/build-job.ts';
import { artifactKeys } from '../../../src/storage/artifact-store.ts';
import { type CachedBuild, findCachedBuild } from '../../../src/storage/build-cache.ts';
import { type BuildContext, beforePublish, required } from '../build-context.ts';
import type { Step } from '../step.ts';
import { withUploadRetries } from '../upload-retries.ts';

export type IdenticalContext = Pick<
  BuildContext,
  'buildId' | 'request' | 'store' | 'claims' | 'logger' | 'signal' | 'progress' | 'fence'
> & {
  state: Pick<BuildContext['state'], 'pulled' | 'identical' | 'reused' | 'artifacts' | 'timings'>;
};

/** The identical-build key of this build, from the digests just pulled (computed once). */
export function identicalOf(
  ctx: Pick<IdenticalContext, 'request' | 'state'>,
): { key: string } & NonNullable<IdenticalContext['state']['identical']> {
  if (!ctx.state.identical) {
    const pulled = required(ctx.state.pulled, 'pulled');
    const inputs = identicalBuildInputs(ctx.request, {
      source: pulled.sourceDigest,
      builder: pulled.builderDigest,
      ...(pulled.payloadDigest ? { payload: pulled.payloadDigest } : {}),
    });
    ctx.state.identical = { key: identicalBuildKey(inputs), inputs };
  }
  return ctx.state.identical;
}

/** The images of an earlier build, as its manifest lists them (a manifest of the first version lists one ISO). */
function imagesOf(earlier: CachedBuild, type: string): Artifact[] {
  if (earlier.artifacts) return earlier.artifacts.filter((a) => a.role === 'image');
  const t = isImageType(type) ? type : 'iso';
  return [{ role: 'image', type: t, ...earlier.iso }];
}

/**
 * Looks for an earlier identical build whose artifacts are still stored and, on a hit, makes this build's answer
 * from it: its images, and a log of this build's own saying where they came from. A failed look-up is a miss.
 */
export async function lookForIdentical(ctx: IdenticalContext): Promise<boolean> {
  const { key } = identicalOf(ctx);
  const started = performance.now();
  const lookup = await findCachedBuild(ctx.store, key).catch((error: unknown) => {
    ctx.logger.warn({ error: String(error) }, 'identical-build look-up failed; building');
    return undefined;
  });
  // Added up: a build looks once before claiming the key and once after.
  ctx.state.timings.cacheLookup =
    (ctx.state.timings.cacheLookup ?? 0) + Math.round(performance.now() - started);
  if (!lookup?.hit) {
    if (lookup) ctx.logger.info({ cacheKey: key, why: lookup.why }, 'no identical build to reuse');
    return false;
  }
  const earlier = lookup.build;
  // If this build waited for the identical one, its wait is over.
  await ctx.claims?.clearWaiting(ctx.buildId).catch(() => undefined);
  ctx.progress({ step: 'link', message: `reusing the images of identical build ${earlier.buildId}` });
  const logKey = artifactKeys(ctx.buildId).log;
  await beforePublish(ctx);
  const note = `No build ran: the ISO of identical build ${earlier.buildId} (finished ${earlier.finishedAt}) was reused.\nIts build log: ${earlier.logKey}\nIdentical-build key: ${key}\n`;
  const log = await withUploadRetries(ctx, logKey, () =>
    ctx.store.putObject(logKey, note, 'text/plain; charset=utf-8'),
  );
  ctx.state.reused = earlier;
  ctx.state.artifacts = [
    ...imagesOf(earlier, ctx.request.type),
    {
      role: 'log',
      type: 'log',
      key: log.key,
      filename: `${ctx.buildId}-build.log`,
      size: log.size,
      sha256: log.sha256,
    },
  ];
  ctx.logger.info({ cacheKey: key, reusedFrom: earlier.buildId }, 'answered from an identical build');
  return true;
}

/** Answers the build from an earlier identical one when its artifacts are still there: no builder run. */
export const reuseIdentical: Step<IdenticalContext> = {
  name: 'reuse-identical',
  shows: 'pull',
  describe: () => 'looking for an identical build',
  // "Rebuild anyway" asks for a build of its own.
  planned: (ctx) => !ctx.request.rebuild,
  async run(ctx) {
    await lookForIdentical(ctx);
  },
};
