import type { ImageType } from '../../../src/domain/image-types.ts';
import { artifactKeys } from '../../../src/storage/artifact-store.ts';
import { recordCachedBuild } from '../../../src/storage/build-cache.ts';
import { type BuildContext, beforePublish, required } from '../build-context.ts';
import type { Step } from '../step.ts';
import { withUploadRetries } from '../upload-retries.ts';
import { identicalOf } from './reuse-identical.ts';

/** Bumped when the manifest's shape changes: 2 lists every artifact instead of one ISO. */
export const MANIFEST_SCHEMA_VERSION = 2;

export type WriteManifestContext = Pick<
  BuildContext,
  'buildId' | 'attempt' | 'request' | 'store' | 'logger' | 'signal' | 'fence'
> & {
  settings: Pick<BuildContext['settings'], 'workerName'>;
  state: Pick<
    BuildContext['state'],
    | 'pulled'
    | 'identical'
    | 'reused'
    | 'reusedImages'
    | 'derived'
    | 'log'
    | 'artifacts'
    | 'podmanVersion'
    | 'registries'
    | 'timings'
    | 'manifestKey'
    | 'finishedAt'
    | 'signing'
    | 'bootTest'
  >;
};

/** What manifest.json says about a build: the images that went in, what came out, who made it and how long. */
export function manifestOf(ctx: WriteManifestContext, finishedAt: string): Record<string, unknown> {
  const { request, state } = ctx;
  const pulled = required(state.pulled, 'pulled');
  const identical = identicalOf(ctx);
  const image = state.artifacts.find((a) => a.role === 'image');
  const log = state.artifacts.find((a) => a.role === 'log');
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    buildId: ctx.buildId,
    ...(state.reused
      ? { reusedFrom: { buildId: state.reused.buildId, manifestKey: state.reused.manifestKey } }
      : {}),
    request,
    configHash: identical.inputs.configHash,
    identicalBuildKey: identical.key,
    identicalBuildKeys: identical.perType,
    source: { image: request.source, digest: pulled.sourceDigest },
    builder: { image: request.builder.image, digest: pulled.builderDigest },
    ...(request.installerPayloadRef && pulled.payloadDigest
      ? { payload: { image: request.installerPayloadRef, digest: pulled.payloadDigest } }
      : {}),
    ...(state.derived
      ? { derived: { image: state.derived.ref, digest: state.derived.digest, from: request.source } }
      : {}),
    artifacts: state.artifacts,
    // The first image again, under the name readers of the first manifest version know.
    ...(image
      ? { iso: { key: image.key, size: image.size, sha256: image.sha256, filename: image.filename } }
      : {}),
    ...(log ? { log: { key: log.key, size: log.size, sha256: log.sha256 } } : {}),
    worker: {
      host: ctx.settings.workerName,
      attempt: ctx.attempt,
      ...(state.podmanVersion ? { podmanVersion: state.podmanVersion } : {}),
      ...(state.registries ? { registries: state.registries } : {}),
    },
    ...(state.signing ? { signing: state.signing } : {}),
    ...(state.bootTest
      ? {
          bootTest: {
            mode: state.bootTest.mode,
            passed: state.bootTest.passed,
            reason: state.bootTest.reason,
            accel: state.bootTest.accel,
          },
        }
      : {}),
    timings: state.timings,
    finishedAt,
  };
}

/**
 * The one writer of manifest.json, for built and reused builds alike. It goes last: its presence marks a complete,
 * trustworthy set of artifacts. A build that made its own images is then recorded for reuse (best effort: a build
 * whose entry could not be written is still a good build, only not reusable).
 */
export const writeManifest: Step<WriteManifestContext> = {
  name: 'write-manifest',
  shows: 'link',
  describe: () => 'recording the build',
  async run(ctx) {
    const finishedAt = new Date().toISOString();
    const key = artifactKeys(ctx.buildId).manifest;
    const body = `${JSON.stringify(manifestOf(ctx, finishedAt), null, 2)}\n`;
    // The manifest decides which attempt's images count: only the holder of the build's lock writes it.
    await beforePublish(ctx);
    await withUploadRetries(ctx, key, () => ctx.store.putObject(key, body, 'application/json'));
    ctx.state.manifestKey = key;
    ctx.state.finishedAt = finishedAt;
    if (ctx.state.reused) return;
    const identical = identicalOf(ctx);
    await beforePublish(ctx);
    // Each type this build made answers later requests for that type, whatever else they ask for.
    const reused = new Set((ctx.state.reusedImages ?? []).map((a) => a.type));
    for (const [type, typeKey] of Object.entries(identical.perType)) {
      if (reused.has(type as ImageType) || typeKey === undefined) continue;
      await recordCachedBuild(ctx.store, {
        key: typeKey,
        buildId: ctx.buildId,
        manifestKey: key,
        inputs: { ...identical.inputs, type: type as ImageType },
      }).catch((error: unknown) => {
        ctx.logger.warn({ error: String(error) }, 'could not record the build for reuse');
      });
    }
  },
};
