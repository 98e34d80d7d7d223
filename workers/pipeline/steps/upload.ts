import { AppError } from '../../../src/domain/errors.ts';
import { requestedTypes } from '../../../src/domain/image-runs.ts';
import { type ImageType, imageTypeSpec, publishedName } from '../../../src/domain/image-types.ts';
import type { Artifact } from '../../../src/queue/build-job.ts';
import { artifactKeys, attemptImageKey, type UploadedObject } from '../../../src/storage/artifact-store.ts';
import { type BuildContext, beforePublish, required } from '../build-context.ts';
import type { Step } from '../step.ts';
import { withUploadRetries } from '../upload-retries.ts';

export type UploadContext = Pick<
  BuildContext,
  'buildId' | 'store' | 'logger' | 'signal' | 'progress' | 'fence'
> & {
  request?: Pick<BuildContext['request'], 'type' | 'types'>;
  settings: { worker: { timeouts: { uploadSeconds: number } } };
  state: Pick<BuildContext['state'], 'paths' | 'log' | 'outputs' | 'artifacts' | 'reused' | 'reusedImages'>;
};

/** Uploads one image with retries, reporting progress in steps of 5 %. */
export async function uploadImage(
  ctx: Pick<BuildContext, 'store' | 'logger' | 'signal' | 'progress'>,
  type: ImageType,
  key: string,
  path: string,
): Promise<UploadedObject> {
  let lastReport = 0;
  return withUploadRetries(ctx, key, () =>
    ctx.store.uploadFile(key, path, {
      contentType: imageTypeSpec(type).mediaType,
      signal: ctx.signal,
      onProgress: (loaded, total) => {
        const percent = total > 0 ? Math.floor((loaded / total) * 100) : 0;
        if (percent - lastReport < 5 && loaded < total) return;
        lastReport = percent;
        ctx.progress({ step: 'upload', message: `uploading ${type}: ${percent}%`, percent });
      },
    }),
  );
}

/**
 * Uploads every image the builder wrote (under the attempt's own keys), then the build log, each with retries, all
 * within worker.timeouts.uploadSeconds, each only after the attempt confirmed it still holds the build.
 */
export const upload: Step<UploadContext> = {
  name: 'upload',
  shows: 'upload',
  describe: () => 'uploading',
  skip: (ctx) => (ctx.state.reused ? 'answered by an identical build' : undefined),
  async run(ctx) {
    const paths = required(ctx.state.paths, 'paths');
    const outputs = required(ctx.state.outputs, 'outputs');
    const limitSeconds = ctx.settings.worker.timeouts.uploadSeconds;
    const deadline = AbortSignal.timeout(limitSeconds * 1000);
    const signal = AbortSignal.any([ctx.signal, deadline]);
    const within = { ...ctx, signal };
    const log = ctx.state.log;
    const images: Artifact[] = [];
    try {
      for (const { type, path } of outputs) {
        // Under this attempt's own key, and only while it holds the build: a stale attempt uploads nothing.
        await beforePublish(ctx);
        const key = attemptImageKey(ctx.buildId, ctx.fence?.tag, type);
        log?.line(`uploading ${type} to ${key}`);
        const done = await uploadImage(within, type, key, path);
        log?.line(`uploaded ${key}: ${done.size} bytes, sha256 ${done.sha256}`);
        images.push({ role: 'image', type, filename: publishedName(ctx.buildId, type), ...done });
      }
      const logKey = artifactKeys(ctx.buildId).log;
      log?.line(`uploading the build log to ${logKey}`);
      await log?.flush();
      await beforePublish(ctx);
      const uploadedLog = await withUploadRetries(within, logKey, () =>
        ctx.store.uploadFile(logKey, paths.buildLog, { contentType: 'text/plain; charset=utf-8', signal }),
      );
      // Images an identical build already made stay where they are; they are listed with this build's own, in the
      // order asked for (the first is the one the build's link points at).
      const order = ctx.request ? requestedTypes(ctx.request) : [];
      const rank = (a: Artifact) =>
        order.includes(a.type as ImageType) ? order.indexOf(a.type as ImageType) : order.length;
      ctx.state.artifacts = [
        ...[...images, ...(ctx.state.reusedImages ?? [])].sort((a, b) => rank(a) - rank(b)),
        { role: 'log', type: 'log', filename: `${ctx.buildId}-build.log`, ...uploadedLog },
      ];
    } catch (error) {
      if (deadline.aborted && !ctx.signal.aborted) {
        throw new AppError('TIMEOUT', `the upload took longer than ${limitSeconds} s and was stopped`);
      }
      throw error;
    }
  },
};
