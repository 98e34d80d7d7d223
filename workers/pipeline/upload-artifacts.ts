import pRetry, { AbortError } from 'p-retry';
import { AppError, asAppError } from '../../src/domain/errors.ts';
import type { UploadedObject } from '../../src/storage/artifact-store.ts';
import type { BuildContext } from './build-context.ts';

/**
 * Storage hiccups are retried here, with backoff, instead of failing the job: a retried job would rebuild a
 * multi-GB ISO that is already on disk. Cancellation and non-retryable errors stop at once.
 */
export function withUploadRetries<T>(ctx: BuildContext, what: string, fn: () => Promise<T>): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await fn();
      } catch (error) {
        const appError = asAppError(error);
        if (ctx.signal.aborted || !appError.retryable) throw new AbortError(appError);
        throw appError;
      }
    },
    {
      retries: 4,
      minTimeout: 1000,
      factor: 3,
      signal: ctx.signal,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        ctx.logger.warn({ what, attemptNumber, retriesLeft, error: error.message }, 'upload attempt failed');
      },
    },
  ).catch((error: unknown) => {
    if (ctx.signal.aborted)
      throw new AppError('CANCELLED', `upload of ${what} stopped: the build was cancelled`);
    throw error;
  });
}

/** Uploads the ISO, retries included, within worker.timeouts.uploadSeconds. */
export async function uploadIso(ctx: BuildContext, key: string, path: string): Promise<UploadedObject> {
  let lastReport = 0;
  const limitSeconds = ctx.settings.worker.timeouts.uploadSeconds;
  const deadline = AbortSignal.timeout(limitSeconds * 1000);
  const signal = AbortSignal.any([ctx.signal, deadline]);
  const upload = withUploadRetries({ ...ctx, signal }, key, () =>
    ctx.store.uploadFile(key, path, {
      contentType: 'application/x-iso9660-image',
      signal,
      onProgress: (loaded, total) => {
        const percent = total > 0 ? Math.floor((loaded / total) * 100) : 0;
        if (percent - lastReport < 5 && loaded < total) return;
        lastReport = percent;
        ctx.progress({ step: 'upload', message: `uploading ISO: ${percent}%`, percent });
      },
    }),
  );
  return upload.catch((error: unknown) => {
    if (deadline.aborted && !ctx.signal.aborted) {
      throw new AppError('TIMEOUT', `the ISO upload took longer than ${limitSeconds} s and was stopped`);
    }
    throw error;
  });
}
