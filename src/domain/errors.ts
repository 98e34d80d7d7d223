/**
 * The one closed set of error codes. Every failure that reaches a user (Slack, CLI, job result) is an AppError
 * with one of these codes; foreign errors are normalised once, at the boundary, with asAppError().
 */
/**
 * What the queue does with a build that ended in an error: `fail` ends it (the requester must change something),
 * `retry` runs it again after the queue's backoff (within the job's attempts), `hand-back` returns it to the queue
 * without using an attempt, because the build host, not the build, is at fault and another host may run it.
 */
export type Disposition = 'fail' | 'retry' | 'hand-back';

export const ERROR_CODES = {
  INVALID_REQUEST: { disposition: 'fail', title: 'invalid build request' },
  REGISTRY_NOT_ALLOWED: { disposition: 'fail', title: 'registry not allowed' },
  CONFIG_INVALID: { disposition: 'fail', title: 'invalid configuration' },
  AUTH_FAILED: { disposition: 'fail', title: 'registry authentication failed' },
  IMAGE_NOT_FOUND: { disposition: 'fail', title: 'image not found' },
  SIGNATURE_REJECTED: { disposition: 'fail', title: 'image signature rejected' },
  NOT_BOOTC_IMAGE: { disposition: 'fail', title: 'not a bootc image' },
  ARCH_MISMATCH: { disposition: 'fail', title: 'image architecture differs from the build architecture' },
  SOURCE_CHANGED: { disposition: 'retry', title: 'source image changed during the build' },
  REGISTRY_UNAVAILABLE: { disposition: 'retry', title: 'registry unavailable' },
  PODMAN_UNAVAILABLE: { disposition: 'hand-back', title: 'podman unavailable on the build host' },
  DISK_FULL: { disposition: 'hand-back', title: 'not enough free disk on the build host' },
  DISK_UNREADABLE: { disposition: 'hand-back', title: 'free disk space unreadable on the build host' },
  BUILDER_FAILED: { disposition: 'fail', title: 'bootc-image-builder failed' },
  TIMEOUT: { disposition: 'fail', title: 'step timed out' },
  BOOT_TEST_FAILED: { disposition: 'fail', title: 'the ISO failed its boot test' },
  UPLOAD_FAILED: { disposition: 'retry', title: 'upload failed' },
  STORAGE_MISCONFIGURED: { disposition: 'fail', title: 'artifact storage misconfigured' },
  QUEUE_UNAVAILABLE: { disposition: 'retry', title: 'build queue (Redis) unavailable' },
  CANCELLED: { disposition: 'fail', title: 'build cancelled' },
  INTERNAL: { disposition: 'retry', title: 'internal error' },
} as const satisfies Record<string, { disposition: Disposition; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  cause?: unknown;
  /** Last lines of a tool's output, safe to show to the requester (secrets never reach tool output). */
  logTail?: string[];
  /** Field of the request the error is about (modal block, CLI flag), when there is one. */
  field?: string;
  /** How long the source of the error asked us to wait before trying again (a registry's Retry-After). */
  retryAfterMs?: number;
}

/** An error with a code from the closed set and a message written for the person who asked for the build. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly logTail: string[];
  readonly field: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.logTail = options.logTail ?? [];
    this.field = options.field;
    this.retryAfterMs = options.retryAfterMs;
  }

  get disposition(): Disposition {
    return ERROR_CODES[this.code].disposition;
  }

  /** Worth trying again: by this host later (`retry`) or by any host (`hand-back`). */
  get retryable(): boolean {
    return this.disposition !== 'fail';
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Normalise anything thrown into an AppError; unknown errors become INTERNAL with a generic message. */
export function asAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  return new AppError(
    'INTERNAL',
    'an unexpected internal error occurred; the operator can find details in the logs',
    {
      cause: error,
    },
  );
}

/** The serialisable form stored on a failed job and shown to users; never contains a stack trace. */
export interface ErrorSummary {
  code: ErrorCode;
  message: string;
  logTail: string[];
  field?: string;
}

export function summariseError(error: unknown): ErrorSummary {
  const e = asAppError(error);
  return { code: e.code, message: e.message, logTail: e.logTail, ...(e.field ? { field: e.field } : {}) };
}
