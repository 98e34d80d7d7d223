import type { Logger } from '../../logger.ts';

/**
 * `urgent`: work with a Slack deadline after the ack (views.open must use its trigger within 3 s).
 * `normal`: everything else a handler does after its ack (status post + enqueue, response_url answers).
 */
export type TaskLane = 'urgent' | 'normal';

export interface BackgroundTasks {
  /** Queues `fn` to run after the current ack; never throws, and a failing task only logs. */
  run(name: string, fn: () => Promise<unknown>, lane?: TaskLane): void;
  /** Resolves true once every queued and running task has finished, false if `timeoutMs` passed first. */
  drain(timeoutMs?: number): Promise<boolean>;
  /** Tasks queued or running. */
  readonly pending: number;
}

export interface BackgroundOptions {
  logger: Pick<Logger, 'error' | 'warn'>;
  /**
   * Tasks running at once per lane; past it, tasks wait their turn (default urgent 8, normal 2). Low on purpose:
   * every running task competes with the acks for the one event loop. Measured on 2 cores with 50 requests in
   * flight (npm run bench): urgent 32 / normal 8 put the bot's ack p50 at 3-4x the bare app's; 8 / 2 at 1-2x,
   * with views.open still within about 1 s of its command (its trigger id lives 3 s).
   */
  concurrency?: Partial<Record<TaskLane, number>>;
  /**
   * Past this wait (default urgent 500 ms, normal 2 s), a lane starts one more task per event-loop turn even when
   * full, so post-ack work is never starved and a trigger id is used well within its 3 s.
   */
  maxWaitMs?: Partial<Record<TaskLane, number>>;
  now?: () => number;
}

interface Task {
  name: string;
  fn: () => Promise<unknown>;
  queuedAt: number;
}

/**
 * Post-ack work runs here instead of inline in the listener. Under a burst of requests, inline
 * post-ack work (Web API calls, Redis scripts, their replies) shared the event loop and the Redis connection with the
 * acks still to be sent, so every ack waited behind it. Here each lane runs a bounded number of tasks and starts
 * the next one with setImmediate, after the poll phase, so incoming requests are read and acked first. The bound
 * gives way after `maxWaitMs` (one more task per turn), so a long burst delays post-ack work by about that much.
 */
export function createBackgroundTasks(options: BackgroundOptions): BackgroundTasks {
  const now = options.now ?? Date.now;
  const limit = { urgent: 8, normal: 2, ...options.concurrency };
  const maxWait = { urgent: 500, normal: 2000, ...options.maxWaitMs };
  const queued: Record<TaskLane, Task[]> = { urgent: [], normal: [] };
  const running: Record<TaskLane, number> = { urgent: 0, normal: 0 };
  let pending = 0;
  let scheduled = false;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  const execute = (lane: TaskLane, task: Task) => {
    running[lane] += 1;
    // The task runs in a promise chain of its own: a throw or rejection cannot reach the others or the caller.
    void Promise.resolve()
      .then(task.fn)
      .catch((error: unknown) => {
        options.logger.error({ error: String(error), task: task.name }, 'background task failed');
      })
      .finally(() => {
        running[lane] -= 1;
        pending -= 1;
        if (pending === 0) {
          for (const resolve of idleWaiters) resolve();
          idleWaiters = [];
        }
        schedule();
      });
  };

  const startDue = () => {
    scheduled = false;
    clearTimeout(timer);
    timer = undefined;
    let nextDue = Number.POSITIVE_INFINITY;
    let overdueLeft = false;
    for (const lane of ['urgent', 'normal'] as const) {
      const tasks = queued[lane];
      while (tasks.length > 0 && running[lane] < limit[lane]) execute(lane, tasks.shift() as Task);
      const head = tasks[0];
      if (!head) continue;
      if (now() - head.queuedAt < maxWait[lane]) {
        nextDue = Math.min(nextDue, head.queuedAt + maxWait[lane]);
        continue;
      }
      // Overdue: one more task past the limit per turn of the event loop, so a long backlog ramps up between
      // the acks instead of starting all at once in one long turn (measured: a stall of several hundred ms).
      tasks.shift();
      execute(lane, head);
      overdueLeft ||= tasks.length > 0;
    }
    if (overdueLeft) {
      schedule();
    } else if (nextDue !== Number.POSITIVE_INFINITY) {
      // Nothing may finish before the oldest waiting task is due: look again then.
      timer = setTimeout(schedule, Math.max(0, nextDue - now()));
      timer.unref();
    }
  };

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(startDue);
  }

  return {
    run(name, fn, lane = 'normal') {
      queued[lane].push({ name, fn, queuedAt: now() });
      pending += 1;
      schedule();
    },
    drain(timeoutMs = 10_000) {
      if (pending === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const giveUp = setTimeout(() => {
          options.logger.warn({ pending }, 'stopping with background tasks still pending');
          resolve(false);
        }, timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(giveUp);
          resolve(true);
        });
      });
    },
    get pending() {
      return pending;
    },
  };
}
