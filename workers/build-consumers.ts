import { DelayedError, type Job, type Processor, Worker, type WorkerOptions } from 'bullmq';
import { buildQueueName, QUEUE_PREFIX, type QueueRoute } from '../src/queue/names.ts';

/** A build taken while every slot was busy goes back to the queue for this long (another host may take it). */
const NO_SLOT_DELAY_MS = 5000;

/**
 * Thrown by a processor that handed its build back (already delayed) so that another host takes it: this host's
 * worker of that queue takes nothing for `yieldMs`, so the other host, idle and waiting for the build to come due,
 * is the only one fetching then. BullMQ cannot filter what a worker fetches; not fetching for a moment can.
 */
export class YieldToOtherHost extends DelayedError {
  readonly yieldMs: number;

  constructor(yieldMs: number) {
    super('handed back to another host');
    this.yieldMs = yieldMs;
  }
}

/**
 * The BullMQ workers of one build host: one per queue it serves (its arch's, and the one of builds that need an
 * entitled host when it has that capability). `worker.concurrency` is a limit for the host, not per queue: a shared
 * count of slots. When it is full, a worker running none of the builds pauses, and one running some fetches no
 * more than it runs (its concurrency lowered to that); workers running builds are never paused, so BullMQ's check
 * for builds of dead hosts goes on. A build taken in the instant before that goes back to its queue (delayed, no
 * attempt used) instead of running over the limit.
 */
export class BuildConsumers {
  readonly workers: Worker[];
  readonly queueNames: string[];
  readonly #running: number[];
  /** Until when (epoch ms) each worker takes nothing more, having handed a build back to another host. */
  readonly #yieldUntil: number[];
  #unfit = false;
  readonly #limit: number;

  constructor(
    routes: QueueRoute[],
    processor: Processor,
    options: Omit<WorkerOptions, 'prefix' | 'concurrency'> & { concurrency: number },
  ) {
    this.#limit = options.concurrency;
    this.queueNames = routes.map((r) => buildQueueName(r.arch, r.requires));
    this.#running = this.queueNames.map(() => 0);
    this.#yieldUntil = this.queueNames.map(() => 0);
    const gated =
      (index: number): Processor =>
      async (job: Job, token?: string, signal?: AbortSignal) => {
        if (this.#total() >= this.#limit) {
          await job.moveToDelayed(Date.now() + NO_SLOT_DELAY_MS, token);
          throw new DelayedError();
        }
        this.#running[index] = (this.#running[index] ?? 0) + 1;
        this.#apply();
        try {
          return await processor(job, token, signal);
        } catch (error) {
          if (error instanceof YieldToOtherHost) this.#yield(index, error.yieldMs);
          throw error;
        } finally {
          this.#running[index] = (this.#running[index] ?? 1) - 1;
          this.#apply();
        }
      };
    this.workers = this.queueNames.map(
      (name, index) =>
        new Worker(name, gated(index), { ...options, concurrency: this.#limit, prefix: QUEUE_PREFIX }),
    );
  }

  #total(): number {
    return this.#running.reduce((sum, n) => sum + n, 0);
  }

  #yield(index: number, ms: number): void {
    this.#yieldUntil[index] = Date.now() + ms;
    setTimeout(() => this.#apply(), ms + 1).unref();
  }

  /** Fits each worker's fetching to the free slots (and to an unfit host: none; to a yielding worker: none more). */
  #apply(): void {
    const full = this.#total() >= this.#limit;
    const now = Date.now();
    this.workers.forEach((worker, index) => {
      const running = this.#running[index] ?? 0;
      const hold = full || (this.#yieldUntil[index] ?? 0) > now;
      const stop = this.#unfit || (hold && running === 0);
      worker.concurrency = hold && running > 0 ? running : this.#limit;
      if (stop && !worker.isPaused()) void worker.pause(true);
      else if (!stop && worker.isPaused() && !worker.closing) void worker.resume();
    });
  }
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'lockRenewalFailed', listener: (jobIds: string[]) => void): void;
  on(
    event: 'error' | 'lockRenewalFailed',
    listener: ((error: Error) => void) & ((jobIds: string[]) => void),
  ): void {
    for (const worker of this.workers) worker.on(event, listener);
  }

  async waitUntilReady(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /** True when the host stops taking builds because it found itself unfit (not when its slots are full). */
  isPaused(): boolean {
    return this.#unfit;
  }

  /** Stops taking builds (running ones go on) until resume(): the host found itself unfit to build. */
  async pause(): Promise<void> {
    this.#unfit = true;
    this.#apply();
  }

  resume(): void {
    this.#unfit = false;
    this.#apply();
  }

  isRunning(): boolean {
    return this.workers.some((w) => w.isRunning());
  }

  get closing(): boolean {
    return this.workers.some((w) => Boolean(w.closing));
  }

  /** Aborts the build with this id on whichever queue runs it; false when none does. */
  cancelJob(buildId: string, reason: string): boolean {
    return this.workers.map((w) => w.cancelJob(buildId, reason)).some(Boolean);
  }

  cancelAllJobs(reason: string): void {
    for (const worker of this.workers) worker.cancelAllJobs(reason);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
