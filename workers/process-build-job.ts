import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Config } from '../src/config/load-config.ts';
import { AppError, asAppError, summariseError } from '../src/domain/errors.ts';
import { type BuildPolicy, validateBuildRequest } from '../src/domain/validate-build-request.ts';
import type { Logger } from '../src/logger.ts';
import type { BuildResult } from '../src/queue/build-job.ts';
import type { IdenticalBuildClaims } from '../src/queue/identical-build-claims.ts';
import type { ArtifactStore } from '../src/storage/artifact-store.ts';
import { WaitForIdenticalBuild } from './pipeline/identical-build-step.ts';
import { runBuild } from './pipeline/run-build.ts';
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
}

/** How long a build handed back for a host problem waits before any worker takes it again. */
export const HOST_RETRY_DELAY_MS = 15_000;

/** Thrown (BullMQ's DelayedError) when a build goes back to the queue to wait for an identical one. */
export class IdenticalBuildDelay extends DelayedError {}

/** Thrown (BullMQ's UnrecoverableError: no retry) when a build ends because someone cancelled it. */
export class BuildCancelled extends UnrecoverableError {}

/** How often a build waiting for an identical one looks again (a Redis read; images are pulled only once it ends). */
export const IDENTICAL_WAIT_MS = 2_000;

/** Problems of this build host, not of the build: another host could run it. */
function isHostProblem(thrown: unknown, abort: AbortSignal): boolean {
  if (abort.aborted || !(thrown instanceof AppError)) return false;
  return thrown.code === 'DISK_FULL' || thrown.code === 'PODMAN_UNAVAILABLE';
}

/**
 * The BullMQ processor. Validates the job again (the worker trusts no producer), runs the build and maps failures:
 * user and permanent errors become UnrecoverableError (no retry), infrastructure errors are retried with backoff.
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
    const reporter = createProgressReporter(job, base, logger);
    const abort = signal ?? new AbortController().signal;
    let stillWaiting = false;
    try {
      const request = validateBuildRequest(job.data, policy);
      // A cancel sent while this worker was taking the job reached no one: it is remembered in Redis instead.
      const cancelledBy = await deps.cancelledBy?.(buildId);
      if (cancelledBy) throw new AppError('CANCELLED', `cancelled by ${cancelledBy}`);
      const waitingFor = await deps.claims?.stillWaiting(buildId);
      stillWaiting = waitingFor !== undefined;
      if (waitingFor) throw new WaitForIdenticalBuild(waitingFor);
      logger.info({ source: request.source, type: request.type, arch: request.arch }, 'build started');
      const result = await runBuild({
        buildId,
        attempt,
        request,
        settings: deps.config,
        podman: deps.podman,
        store: deps.store,
        logger,
        signal: abort,
        progress: reporter.report,
        ...(deps.claims ? { claims: deps.claims } : {}),
      });
      reporter.report({ step: 'done', message: 'build complete', percent: 100 });
      await reporter.flush();
      logger.info(
        { sha256: result.iso.sha256, size: result.iso.size, timings: result.timings },
        'build complete',
      );
      return result;
    } catch (thrown) {
      if (thrown instanceof WaitForIdenticalBuild && token && !abort.aborted) {
        // Not a failure and not worth a worker slot: back to the queue until the identical build has ended.
        if (!stillWaiting) {
          logger.info({ holder: thrown.holder }, 'waiting for an identical build');
          reporter.report({ step: 'preflight', message: thrown.message, waitingFor: thrown.holder });
          await reporter.flush();
        }
        await job.moveToDelayed(Date.now() + IDENTICAL_WAIT_MS, token);
        throw new IdenticalBuildDelay();
      }
      if (abort.reason === SHUTDOWN_REASON || isHostProblem(thrown, abort)) {
        // Not the build's fault: hand it back to the queue for another host (or this one, later) without using
        // up an attempt or showing the requester a failure.
        const why =
          abort.reason === SHUTDOWN_REASON
            ? `build host ${base.host} is shutting down`
            : String((thrown as Error).message);
        logger.warn({ reason: why }, 'handing the build back to the queue');
        reporter.report({ step: 'preflight', message: `${why}; waiting for a build host` });
        await reporter.flush();
        if (abort.reason !== SHUTDOWN_REASON) deps.onHostUnfit?.(why);
        if (token) {
          await job.moveToDelayed(
            Date.now() + (abort.reason === SHUTDOWN_REASON ? 0 : HOST_RETRY_DELAY_MS),
            token,
          );
          throw new DelayedError();
        }
        throw new Error(`${why}; the build will retry`);
      }
      // Whatever step noticed the abort, the person wants to know it was cancelled, and by whom.
      const error = abort.aborted ? cancelled(abort) : asAppError(thrown);
      const willRetry = error.retryable && attempt < (job.opts.attempts ?? 1);
      logger.warn(
        { code: error.code, error: error.message, willRetry, cause: String(error.cause ?? '') },
        'build failed',
      );
      reporter.report({ step: 'failed', message: error.message, error: summariseError(error) });
      await reporter.flush();
      if (error.code === 'CANCELLED') throw new BuildCancelled(error.message);
      if (!error.retryable) throw new UnrecoverableError(error.message);
      throw new Error(error.message);
    }
  };
}

function cancelled(signal: AbortSignal): AppError {
  const reason = typeof signal.reason === 'string' ? signal.reason : 'the build was cancelled';
  return new AppError('CANCELLED', reason);
}
