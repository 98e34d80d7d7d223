import pRetry, { AbortError } from 'p-retry';
import { AppError, asAppError } from '../../src/domain/errors.ts';
import type { BuildContext } from './build-context.ts';

/**
 * Storage hiccups are retried here, with backoff, instead of failing the job: a retried job would rebuild a
 * multi-GB image that is already on disk. Cancellation and errors that are not worth retrying stop at once.
 */
export function withUploadRetries<T>(
  ctx: Pick<BuildContext, 'signal' | 'logger'>,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await fn();
      } catch (error) {
        const appError = asAppError(error);
        if (ctx.signal.aborted || appError.disposition !== 'retry') throw new AbortError(appError);
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
