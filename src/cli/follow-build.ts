import type { Queue, QueueEvents } from 'bullmq';
import cliProgress from 'cli-progress';
import { AppError, type ErrorSummary, summariseError } from '../domain/errors.ts';
import { type BuildProgress, type BuildResult, isBuildProgress } from '../queue/build-job.ts';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export type BuildOutcome =
  | { ok: true; result: BuildResult }
  | { ok: false; buildId: string; error: ErrorSummary };

/** A progress bar on a terminal, one plain line per change elsewhere (logs, CI, pipes). */
function createDisplay(out: Output, quiet: boolean) {
  if (quiet) return { update: (_p: BuildProgress) => undefined, stop: () => undefined };
  if (out.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: '{step} |{bar}| {percent}% {message}',
        hideCursor: true,
        stream: out as NodeJS.WritableStream,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update: (p: BuildProgress) => {
        const payload = { step: p.step.padEnd(9), message: p.message.slice(0, 60) };
        if (!started) bar.start(100, p.percent ?? 0, payload);
        else bar.update(p.percent ?? 0, payload);
        started = true;
      },
      stop: () => bar.stop(),
    };
  }
  let last = '';
  return {
    update: (p: BuildProgress) => {
      const line = `[${p.step}] ${p.message}${p.percent === undefined ? '' : ` (${p.percent}%)`}`;
      if (line !== last) out.write(`${line}\n`);
      last = line;
    },
    stop: () => undefined,
  };
}

/** Waits for the build to finish, showing its progress; never throws for a failed or removed build. */
export async function followBuild(
  queue: Queue,
  events: QueueEvents,
  buildId: string,
  out: Output,
  quiet = false,
): Promise<BuildOutcome> {
  const display = createDisplay(out, quiet);
  const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
    if (jobId === buildId && isBuildProgress(data)) display.update(data);
  };
  // A queued build that is cancelled is removed: it never completes or fails, so its removal ends the wait too.
  let resolveRemoved: (value: 'removed') => void = () => undefined;
  const removed = new Promise<'removed'>((resolve) => {
    resolveRemoved = resolve;
  });
  const onRemoved = ({ jobId }: { jobId: string }) => {
    if (jobId === buildId) resolveRemoved('removed');
  };
  events.on('progress', onProgress);
  events.on('removed', onRemoved);
  const gone: BuildOutcome = {
    ok: false,
    buildId,
    error: summariseError(
      new AppError('CANCELLED', `build ${buildId} was removed from the queue before it ran (cancelled)`),
    ),
  };
  try {
    const job = await queue.getJob(buildId);
    if (!job) return gone;
    try {
      const ended = await Promise.race([job.waitUntilFinished(events), removed]);
      if (ended === 'removed') return gone;
      return { ok: true, result: ended as BuildResult };
    } catch (error) {
      const failed = await queue.getJob(buildId);
      if (!failed) return gone;
      const progress = failed.progress;
      if (isBuildProgress(progress) && progress.error) return { ok: false, buildId, error: progress.error };
      const message = (error as Error).message;
      return { ok: false, buildId, error: { code: 'INTERNAL', message, logTail: [] } };
    }
  } finally {
    events.off('progress', onProgress);
    events.off('removed', onRemoved);
    display.stop();
  }
}
