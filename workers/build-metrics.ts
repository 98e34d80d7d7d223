import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { BuildMetrics, BuildOutcome } from '../src/http/metrics.ts';
import { type BuildResult, isBuildProgress } from '../src/queue/build-job.ts';
import { BuildCancelled, IdenticalBuildDelay, SHUTDOWN_REASON } from './process-build-job.ts';

type BuildProcessor = (job: Job, token?: string, signal?: AbortSignal) => Promise<BuildResult>;

/**
 * Wraps the build processor to record each attempt: outcome, duration, step timings and uploaded bytes. The
 * processor already decides everything (retry or not, cancelled, handed back on shutdown); this reads its
 * decision from what it threw and from the error summary it left in the job's progress, so the processor itself
 * knows nothing about metrics.
 */
export function withBuildMetrics<T extends BuildProcessor>(processor: T, metrics: BuildMetrics): T {
  return (async (job, token, signal) => {
    const start = performance.now();
    const done = metrics.started();
    const labels = { type: field(job.data, 'type'), arch: field(job.data, 'arch') };
    const seconds = () => (performance.now() - start) / 1000;
    try {
      const result = await processor(job, token, signal);
      metrics.finished({
        outcome: result.reusedFrom ? 'reused' : 'succeeded',
        ...labels,
        seconds: seconds(),
        timings: result.timings,
        // A reused ISO was uploaded by the build that made it.
        isoBytes: result.reusedFrom ? 0 : result.iso.size,
      });
      return result;
    } catch (error) {
      const progress = isBuildProgress(job.progress) ? job.progress : undefined;
      metrics.finished({
        outcome: outcomeOf(
          error,
          { attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1 },
          signal,
        ),
        ...labels,
        seconds: seconds(),
        ...(progress?.error?.code ? { code: progress.error.code } : {}),
      });
      throw error;
    } finally {
      done();
    }
  }) as T;
}

/** How a failed attempt ended: the processor's choice, read from what it threw and the abort reason. */
export function outcomeOf(
  error: unknown,
  job: { attemptsMade: number; attempts: number },
  signal: AbortSignal | undefined,
): BuildOutcome {
  if (error instanceof IdenticalBuildDelay) return 'waiting';
  // Handed back to the queue without using up an attempt: this host is shutting down or unfit (disk, podman).
  if (error instanceof DelayedError) return 'requeued';
  if (signal?.aborted) return signal.reason === SHUTDOWN_REASON ? 'requeued' : 'cancelled';
  if (error instanceof BuildCancelled) return 'cancelled';
  if (error instanceof UnrecoverableError) return 'failed';
  // BullMQ retries a plain error while attempts remain.
  return job.attemptsMade + 1 < job.attempts ? 'retrying' : 'failed';
}

function field(data: unknown, name: string): string {
  const value =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : 'unknown';
}
