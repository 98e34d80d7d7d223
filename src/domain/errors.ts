/**
 * The one closed set of error codes. Every failure that reaches a user (Slack, CLI, job result) is an AppError
 * with one of these codes; foreign errors are normalised once, at the boundary, with asAppError().
 */
export const ERROR_CODES = {
  INVALID_REQUEST: { retryable: false, title: 'invalid build request' },
  REGISTRY_NOT_ALLOWED: { retryable: false, title: 'registry not allowed' },
  CONFIG_INVALID: { retryable: false, title: 'invalid configuration' },
  AUTH_FAILED: { retryable: false, title: 'registry authentication failed' },
  IMAGE_NOT_FOUND: { retryable: false, title: 'image not found' },
  REGISTRY_UNAVAILABLE: { retryable: true, title: 'registry unavailable' },
  PODMAN_UNAVAILABLE: { retryable: true, title: 'podman unavailable on the build host' },
  DISK_FULL: { retryable: true, title: 'not enough free disk on the build host' },
  BUILDER_FAILED: { retryable: false, title: 'bootc-image-builder failed' },
  TIMEOUT: { retryable: false, title: 'step timed out' },
  BOOT_TEST_FAILED: { retryable: false, title: 'the ISO failed its boot test' },
  UPLOAD_FAILED: { retryable: true, title: 'upload failed' },
  QUEUE_UNAVAILABLE: { retryable: true, title: 'build queue (Redis) unavailable' },
  CANCELLED: { retryable: false, title: 'build cancelled' },
  INTERNAL: { retryable: true, title: 'internal error' },
} as const satisfies Record<string, { retryable: boolean; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  cause?: unknown;
  /** Last lines of a tool's output, safe to show to the requester (secrets never reach tool output). */
  logTail?: string[];
  /** Field of the request the error is about (modal block, CLI flag), when there is one. */
  field?: string;
}

/** An error with a code from the closed set and a message written for the person who asked for the build. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly logTail: string[];
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.logTail = options.logTail ?? [];
    this.field = options.field;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
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
