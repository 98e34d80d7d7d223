/**
 * How long a build waits before its next attempt. The queue's own exponential backoff, except when the error says
 * how long the other side asked us to wait (a registry answering 429 with Retry-After): then that, within bounds.
 * BullMQ runs a custom strategy only for a backoff type it does not know itself, hence the name below.
 */
export const RETRY_BACKOFF_TYPE = 'retry-after-or-exponential';

/** A Retry-After shorter than this is stretched (a registry asking for 0 s would be hammered). */
export const MIN_RETRY_AFTER_MS = 1_000;
/** A Retry-After longer than this is cut: a build should fail within the day rather than wait for it. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export interface BackoffJob {
  opts: { backoff?: number | { delay?: number } };
}

/** The error thrown by the processor for a retried build, carrying the wait the remote side asked for. */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

export function retryBackoff(
  attemptsMade: number,
  _type: string | undefined,
  error: Error | undefined,
  job: BackoffJob | undefined,
  random: () => number = Math.random,
): number {
  if (
    error instanceof RetryLater &&
    error.retryAfterMs !== undefined &&
    Number.isFinite(error.retryAfterMs)
  ) {
    return Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_AFTER_MS, Math.round(error.retryAfterMs)));
  }
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'number' ? backoff : (backoff?.delay ?? 0);
  const exponential = base * 2 ** Math.max(0, attemptsMade - 1);
  // ±20 % so builds that failed together (a registry outage) do not all come back in the same instant.
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

/** The settings every BullMQ Worker of build queues needs (the strategy above). */
export const BUILD_WORKER_SETTINGS = { backoffStrategy: retryBackoff } as const;
