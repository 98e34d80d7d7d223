import type { Job } from 'bullmq';
import type { Logger } from '../src/logger.ts';
import type { BuildProgress } from '../src/queue/build-job.ts';

/**
 * Coalesces progress: a new step is written at once, updates within a step at most every `intervalMs`
 * (each update is a Redis write plus an event-stream entry). Writes stay in order.
 */
export function createProgressReporter(
  job: Pick<Job, 'updateProgress'>,
  base: { host: string; attempt: number },
  logger: Logger,
  intervalMs = 2000,
  now: () => number = Date.now,
): { report: (p: Omit<BuildProgress, 'host' | 'attempt'>) => void; flush: () => Promise<void> } {
  let chain: Promise<unknown> = Promise.resolve();
  let lastStep: string | undefined;
  let lastWrite = 0;
  let pending: BuildProgress | undefined;
  let timer: NodeJS.Timeout | undefined;

  const write = (p: BuildProgress) => {
    lastWrite = now();
    lastStep = p.step;
    chain = chain
      .then(() => job.updateProgress(p as unknown as object))
      .catch((error: unknown) => logger.warn({ error: String(error) }, 'could not record build progress'));
  };

  const report = (p: Omit<BuildProgress, 'host' | 'attempt'>) => {
    const full: BuildProgress = { ...p, ...base };
    if (p.step !== lastStep || now() - lastWrite >= intervalMs) {
      clearTimeout(timer);
      timer = undefined;
      pending = undefined;
      write(full);
      return;
    }
    pending = full;
    timer ??= setTimeout(
      () => {
        timer = undefined;
        if (pending) write(pending);
        pending = undefined;
      },
      intervalMs - (now() - lastWrite),
    );
  };

  const flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending) write(pending);
    pending = undefined;
    await chain;
  };
  return { report, flush };
}
