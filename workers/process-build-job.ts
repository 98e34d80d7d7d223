import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Config } from '../src/config/load-config.ts';
import { AppError, summariseError } from '../src/domain/errors.ts';
import { type BuildPolicy, validateBuildRequest } from '../src/domain/validate-build-request.ts';
import type { Logger } from '../src/logger.ts';
import type { BuildResult } from '../src/queue/build-job.ts';
import type { IdenticalBuildClaims } from '../src/queue/identical-build-claims.ts';
import { RetryLater } from '../src/queue/retry-backoff.ts';
import type { ArtifactStore } from '../src/storage/artifact-store.ts';
import { type Fence, LOCK_LOST_REASON } from './fence.ts';
import { emptyState } from './pipeline/build-context.ts';
import { toQueueOutcome } from './pipeline/queue-outcome.ts';
import { type PipelineOutcome, runBuild } from './pipeline/run-build.ts';
import { WaitForIdenticalBuild } from './pipeline/steps/claim-identical.ts';
import type { Podman } from './podman.ts';
import { createProgressReporter } from './progress-reporter.ts';

/** The abort reason a worker uses when it stops; such builds are requeued, not failed. */
export const SHUTDOWN_REASON = 'build host shutting down';

export interface BuildJobDeps {
  config: Pick<
    Config,
    'worker' | 'registries' | 'linkTtlSeconds' | 'workerName' | 'allowedRegistries' | 'builders'
  > &
    Partial<Pick<Config, 'access'>>;
  podman: Podman;
  store: ArtifactStore;
  logger: Logger;
  claims?: IdenticalBuildClaims;
  /** Who asked to cancel a build before this worker could hear it (cancelRequestedBy), if anyone did. */
  cancelledBy?: (buildId: string) => Promise<string | undefined>;
  /** Called when this host cannot build right now (low disk, podman broken), so the worker can stop taking jobs. */
  onHostUnfit?: (reason: string) => void;
  /**
   * The attempt's hold on the job lock (its token). With it, progress and every publish are refused once the lock is
   * lost, and the remembered cancel is polled while the build runs. The caller releases it when the job ends.
   */
  fence?: (job: Job, token: string) => Fence;
  /** How long a build waiting for an identical one stays delayed unless the holder's release wakes it. */
  identicalWaitMs?: number;
  /** Forgets the fence of a job that ended. */
  releaseFence?: (jobId: string) => void;
}

/** Thrown when an attempt lost its lock: BullMQ's own token check refuses the completion; nothing else is written. */
export class LockLost extends Error {}

/** Thrown (BullMQ's DelayedError) when a build goes back to the queue to wait for an identical one. */
export class IdenticalBuildDelay extends DelayedError {}

/** Thrown (BullMQ's UnrecoverableError: no retry) when a build ends because someone cancelled it. */
export class BuildCancelled extends UnrecoverableError {}

/**
 * The BullMQ processor. Validates the job again (the worker trusts no producer), runs the pipeline and carries out
 * what toQueueOutcome decides: complete, wait for an identical build, hand back to the queue, retry or fail.
 */
export function createBuildJobProcessor(deps: BuildJobDeps) {
  const policy: BuildPolicy = {
    allowedRegistries: deps.config.allowedRegistries,
    builders: deps.config.builders,
  };
  return async (job: Job, token?: string, signal?: AbortSignal): Promise<BuildResult> => {
    const buildId = job.id ?? 'unknown';
    const attempt = job.attemptsMade + 1;
    const logger = deps.logger.child({ buildId, attempt });
    const base = { host: deps.config.workerName, attempt };
    const fence = token && deps.fence ? deps.fence(job, token) : undefined;
    // Progress goes through the fence: a job.updateProgress from an attempt that lost the build would be accepted.
    const reporter = createProgressReporter(
      fence ? { updateProgress: async (p: object) => void (await fence.writeProgress(p)) } : job,
      base,
      logger,
    );
    // A cancel remembered in Redis is heard by the poll even when this worker's subscriber missed the broadcast.
    const polledCancel = new AbortController();
    const stopPoll = fence?.startPoll((by) => polledCancel.abort(`cancelled by ${by}`));
    const abort = AbortSignal.any(
      [signal, fence?.signal, polledCancel.signal].filter((s): s is AbortSignal => s !== undefined),
    );
    let alreadyWaiting = false;
    let outcome: PipelineOutcome;
    try {
      const request = validateBuildRequest(job.data, policy);
      // A cancel sent while this worker was taking the job reached no one: it is remembered in Redis instead.
      const cancelledBy = await deps.cancelledBy?.(buildId);
      if (cancelledBy) throw new AppError('CANCELLED', `cancelled by ${cancelledBy}`);
      const waitingFor = await deps.claims?.stillWaiting(buildId);
      alreadyWaiting = waitingFor !== undefined;
      if (waitingFor) throw new WaitForIdenticalBuild(waitingFor);
      logger.info({ source: request.source, type: request.type, arch: request.arch }, 'build started');
      outcome = await runBuild({
        buildId,
        attempt,
        request,
        settings: deps.config,
        podman: deps.podman,
        store: deps.store,
        logger,
        signal: abort,
        progress: reporter.report,
        state: emptyState(),
        ...(fence ? { fence } : {}),
        ...(deps.claims ? { claims: deps.claims } : {}),
      });
    } catch (error) {
      outcome = { kind: 'failed', error, step: 'start' };
    } finally {
      stopPoll?.();
      if (job.id) deps.releaseFence?.(job.id);
    }
    if (fence?.lost()) {
      // Another attempt owns the build now: no progress, no queue move, nothing published.
      logger.warn(
        { step: outcome.kind === 'failed' ? outcome.step : 'done' },
        'attempt ended without its lock',
      );
      throw new LockLost(LOCK_LOST_REASON);
    }
    const decided = toQueueOutcome(outcome, {
      attempt,
      attempts: job.opts.attempts ?? 1,
      host: base.host,
      aborted: abort.aborted,
      abortReason: abort.reason,
      shutdownReason: SHUTDOWN_REASON,
      alreadyWaiting,
      ...(deps.identicalWaitMs ? { identicalWaitMs: deps.identicalWaitMs } : {}),
    });
    switch (decided.action) {
      case 'complete': {
        const { result } = decided;
        reporter.report({ step: 'done', message: 'build complete', percent: 100 });
        await reporter.flush();
        logger.info(
          { artifacts: result.artifacts?.length ?? 0, sha256: result.iso.sha256, timings: result.timings },
          'build complete',
        );
        return result;
      }
      case 'wait-identical': {
        if (decided.announce) {
          logger.info({ holder: decided.holder }, 'waiting for an identical build');
          reporter.report({ step: 'preflight', message: decided.message, waitingFor: decided.holder });
          await reporter.flush();
        }
        if (!token) throw new Error(decided.message);
        // Not a failure and not worth a worker slot: back to the queue until the identical build has ended.
        await job.moveToDelayed(Date.now() + decided.delayMs, token);
        throw new IdenticalBuildDelay();
      }
      case 'hand-back': {
        // Not the build's fault: hand it back to the queue for another host (or this one, later) without using
        // up an attempt or showing the requester a failure.
        logger.warn({ reason: decided.why }, 'handing the build back to the queue');
        reporter.report({ step: 'preflight', message: `${decided.why}; waiting for a build host` });
        await reporter.flush();
        if (decided.hostUnfit) deps.onHostUnfit?.(decided.why);
        if (!token) throw new Error(`${decided.why}; the build will retry`);
        await job.moveToDelayed(Date.now() + decided.delayMs, token);
        throw new DelayedError();
      }
      case 'fail': {
        const { error } = decided;
        logger.warn(
          {
            code: error.code,
            error: error.message,
            willRetry: decided.retry,
            cause: String(error.cause ?? ''),
          },
          'build failed',
        );
        reporter.report({ step: 'failed', message: error.message, error: summariseError(error) });
        await reporter.flush();
        if (decided.cancelled) throw new BuildCancelled(error.message);
        if (error.disposition !== 'retry') throw new UnrecoverableError(error.message);
        throw new RetryLater(error.message, error.retryAfterMs);
      }
    }
  };
}

export { HOST_RETRY_DELAY_MS, IDENTICAL_WAIT_MS } from './pipeline/queue-outcome.ts';
