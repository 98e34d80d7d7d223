import {
  identicalBuildInputs,
  identicalBuildKey,
  identicalSetKey,
} from '../../../src/domain/identical-build.ts';
import { requestedTypes } from '../../../src/domain/image-runs.ts';
import { type ImageType, imageTypeSpec, isImageType } from '../../../src/domain/image-types.ts';
import type { Artifact } from '../../../src/queue/build-job.ts';
import { artifactKeys } from '../../../src/storage/artifact-store.ts';
import { type CachedBuild, findCachedBuild } from '../../../src/storage/build-cache.ts';
import { wantsBootTest } from '../../boot-test/run-boot-test.ts';
import { type BuildContext, beforePublish, required } from '../build-context.ts';
import type { Step } from '../step.ts';
import { withUploadRetries } from '../upload-retries.ts';

export type IdenticalContext = Pick<
  BuildContext,
  'buildId' | 'request' | 'store' | 'claims' | 'logger' | 'signal' | 'progress' | 'fence'
> & {
  settings: Pick<BuildContext['settings'], 'presets'>;
  state: Pick<
    BuildContext['state'],
    'pulled' | 'derived' | 'identical' | 'reused' | 'reusedImages' | 'artifacts' | 'timings' | 'log'
  >;
};

/** The identical-build keys of this build, from the digests just pulled (computed once). */
export function identicalOf(
  ctx: Pick<IdenticalContext, 'request' | 'state'>,
): NonNullable<IdenticalContext['state']['identical']> {
  if (!ctx.state.identical) {
    const pulled = required(ctx.state.pulled, 'pulled');
    const digests = {
      source: pulled.sourceDigest,
      builder: pulled.builderDigest,
      ...(pulled.payloadDigest ? { payload: pulled.payloadDigest } : {}),
      ...(ctx.state.derived ? { derived: ctx.state.derived.digest } : {}),
    };
    const perType: Partial<Record<ImageType, string>> = {};
    for (const type of requestedTypes(ctx.request))
      perType[type] = identicalBuildKey(identicalBuildInputs(ctx.request, digests, type));
    const inputs = identicalBuildInputs(ctx.request, digests);
    ctx.state.identical = { key: identicalSetKey(perType), inputs, perType };
  }
  return ctx.state.identical;
}

/** The image of `type` an earlier build made, as its manifest lists it (a manifest of the first version lists one ISO). */
function imageOf(earlier: CachedBuild, type: ImageType): Artifact {
  const listed = earlier.artifacts?.find((a) => a.role === 'image' && a.type === type);
  if (listed) return listed;
  return { role: 'image', type: isImageType(type) ? type : 'iso', ...earlier.iso };
}

/**
 * Looks, per type asked for, for an earlier identical build whose image is still stored. When every type is
 * answered, this build's answer is made from them: their images, and a log of this build's own saying where they
 * came from. When only some are, those are kept (`reusedImages`) and only the others are built. A failed look-up is
 * a miss.
 */
export async function lookForIdentical(ctx: IdenticalContext): Promise<boolean> {
  const { key, perType } = identicalOf(ctx);
  const started = performance.now();
  const found: { type: ImageType; build: CachedBuild; key: string }[] = [];
  for (const type of requestedTypes(ctx.request)) {
    const typeKey = perType[type] ?? key;
    // The boot test boots ISOs: a disk image answers whatever the request asks of the ISO.
    const bootTested =
      imageTypeSpec(type).family === 'iso' && wantsBootTest(ctx.request, ctx.settings.presets ?? {});
    const lookup = await findCachedBuild(ctx.store, typeKey, type, { bootTested }).catch((error: unknown) => {
      ctx.logger.warn({ error: String(error) }, 'identical-build look-up failed; building');
      return undefined;
    });
    if (lookup?.hit) found.push({ type, build: lookup.build, key: typeKey });
    else if (lookup)
      ctx.logger.info({ cacheKey: typeKey, type, why: lookup.why }, 'no identical build to reuse');
  }
  // Added up: a build looks once before claiming the key and once after.
  ctx.state.timings.cacheLookup =
    (ctx.state.timings.cacheLookup ?? 0) + Math.round(performance.now() - started);
  const [first] = found;
  if (!first) return false;
  const images = found.map((f) => imageOf(f.build, f.type));
  if (found.length < requestedTypes(ctx.request).length) {
    // Looked for twice (before and after the claim): said once.
    const said = new Set((ctx.state.reusedImages ?? []).map((a) => a.key));
    ctx.state.reusedImages = images;
    for (const f of found.filter((_, i) => !said.has(images[i]?.key ?? '')))
      ctx.state.log?.line(`reusing the ${f.type} image of identical build ${f.build.buildId} (key ${f.key})`);
    return false;
  }
  const earlier = first.build;
  // If this build waited for the identical one, its wait is over.
  await ctx.claims?.clearWaiting(ctx.buildId).catch(() => undefined);
  ctx.progress({ step: 'link', message: `reusing the images of identical build ${earlier.buildId}` });
  const logKey = artifactKeys(ctx.buildId).log;
  await beforePublish(ctx);
  const what = found.length === 1 && first.type === 'iso' ? 'the ISO' : 'the images';
  const from = [...new Set(found.map((f) => f.build.buildId))].join(', ');
  const logs = [...new Set(found.map((f) => f.build.logKey))].join(', ');
  const note = `No build ran: ${what} of identical build ${from} (finished ${earlier.finishedAt}) was reused.\nIts build log: ${logs}\nIdentical-build key: ${key}\n`;
  const log = await withUploadRetries(ctx, logKey, () =>
    ctx.store.putObject(logKey, note, 'text/plain; charset=utf-8'),
  );
  ctx.state.reused = earlier;
  ctx.state.artifacts = [
    ...images,
    {
      role: 'log',
      type: 'log',
      key: log.key,
      filename: `${ctx.buildId}-build.log`,
      size: log.size,
      sha256: log.sha256,
    },
  ];
  ctx.logger.info({ cacheKey: key, reusedFrom: from }, 'answered from an identical build');
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
