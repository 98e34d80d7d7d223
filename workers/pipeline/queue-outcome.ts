import { AppError, asAppError } from '../../src/domain/errors.ts';
import type { BuildResult } from '../../src/queue/build-job.ts';
import type { PipelineOutcome } from './run-build.ts';
import { WaitForIdenticalBuild } from './steps/claim-identical.ts';

/** How long a build handed back for a host problem waits before any worker takes it again. */
export const HOST_RETRY_DELAY_MS = 15_000;

/**
 * How often a build waiting for an identical one looks again when nobody wakes it (a Redis read; images are pulled
 * only once it ends). A build host wakes waiters at the release and waits the claim's lifetime as a fallback.
 */
export const IDENTICAL_WAIT_MS = 2_000;

/** What else decides the queue's answer besides the outcome itself. */
export interface OutcomeCircumstances {
  attempt: number;
  attempts: number;
  host: string;
  /** The job's abort signal: set on cancel and on this worker's shutdown. */
  aborted: boolean;
  abortReason: unknown;
  /** The reason a stopping worker aborts with. */
  shutdownReason: string;
  /** The build was already waiting for this identical build on its previous look. */
  alreadyWaiting: boolean;
  /** How long a waiting build stays delayed unless woken (default IDENTICAL_WAIT_MS). */
  identicalWaitMs?: number;
}

/** What the processor does with the job. */
export type QueueOutcome =
  | { action: 'complete'; result: BuildResult }
  /** Back to the queue until the identical build has ended; `announce` on the first look only. */
  | { action: 'wait-identical'; holder: string; message: string; delayMs: number; announce: boolean }
  /** Back to the queue without using an attempt; `hostUnfit` makes this worker pause taking builds. */
  | { action: 'hand-back'; why: string; delayMs: number; hostUnfit: boolean }
  | { action: 'fail'; error: AppError; retry: boolean; cancelled: boolean };

/**
 * The one place that decides what the queue does with an attempt. Pure: every branch is a row in its test.
 * A cancel wins over whatever the steps said (whatever step noticed the abort, the person wants to know it was
 * cancelled, and by whom); a shutdown hands the build back; then the error's disposition decides.
 */
export function toQueueOutcome(outcome: PipelineOutcome, c: OutcomeCircumstances): QueueOutcome {
  if (outcome.kind === 'succeeded') return { action: 'complete', result: outcome.result };
  const thrown = outcome.error;
  const shuttingDown = c.aborted && c.abortReason === c.shutdownReason;
  if (thrown instanceof WaitForIdenticalBuild && !c.aborted) {
    return {
      action: 'wait-identical',
      holder: thrown.holder,
      message: thrown.message,
      delayMs: c.identicalWaitMs ?? IDENTICAL_WAIT_MS,
      announce: !c.alreadyWaiting,
    };
  }
  if (shuttingDown) {
    return {
      action: 'hand-back',
      why: `build host ${c.host} is shutting down`,
      delayMs: 0,
      hostUnfit: false,
    };
  }
  if (c.aborted) {
    const reason = typeof c.abortReason === 'string' ? c.abortReason : 'the build was cancelled';
    return { action: 'fail', error: new AppError('CANCELLED', reason), retry: false, cancelled: true };
  }
  const error = asAppError(thrown);
  if (error.disposition === 'hand-back') {
    return { action: 'hand-back', why: error.message, delayMs: HOST_RETRY_DELAY_MS, hostUnfit: true };
  }
  const retry = error.disposition === 'retry' && c.attempt < c.attempts;
  return { action: 'fail', error, retry, cancelled: error.code === 'CANCELLED' };
}
