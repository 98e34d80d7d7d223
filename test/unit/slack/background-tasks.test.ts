import { setImmediate as nextTurn } from 'node:timers/promises';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createBackgroundTasks } from '../../../src/slack/background/background-tasks.ts';

const silent = pino({ level: 'silent' });

/** A task that records its start and runs until `release()` is called. */
function gate() {
  let release: (() => void) | undefined;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { done, release: () => release?.() };
}

describe('background tasks', () => {
  it('do not start in the caller’s turn, so the ack that queued them is sent first', async () => {
    const tasks = createBackgroundTasks({ logger: silent });
    const order: string[] = [];
    tasks.run('t', async () => {
      order.push('task');
    });
    order.push('ack');
    expect(await tasks.drain(1000)).toBe(true);
    expect(order).toEqual(['ack', 'task']);
  });

  it('run at most the lane’s concurrency at once and start the rest as slots free up', async () => {
    const tasks = createBackgroundTasks({ logger: silent, concurrency: { normal: 2 } });
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 5 }, gate);
    for (const g of gates) {
      tasks.run('t', async () => {
        running += 1;
        peak = Math.max(peak, running);
        await g.done;
        running -= 1;
      });
    }
    await nextTurn();
    expect(running).toBe(2);
    for (const g of gates) g.release();
    expect(await tasks.drain(1000)).toBe(true);
    expect(peak).toBe(2);
    expect(tasks.pending).toBe(0);
  });

  it('keep urgent work apart from normal work, so a full normal lane does not delay a views.open', async () => {
    const tasks = createBackgroundTasks({ logger: silent, concurrency: { normal: 1, urgent: 1 } });
    const blocker = gate();
    tasks.run('slow', () => blocker.done);
    let urgentRan = false;
    tasks.run(
      'views.open',
      async () => {
        urgentRan = true;
      },
      'urgent',
    );
    await nextTurn();
    await nextTurn();
    expect(urgentRan).toBe(true);
    blocker.release();
    await tasks.drain(1000);
  });

  it('start a task that waited past maxWaitMs even when its lane is full (no starvation)', async () => {
    let clock = 0;
    const tasks = createBackgroundTasks({
      logger: silent,
      concurrency: { normal: 1 },
      maxWaitMs: { normal: 20 },
      now: () => clock,
    });
    const blocker = gate();
    tasks.run('slow', () => blocker.done);
    let waitedRan = false;
    tasks.run('waiting', async () => {
      waitedRan = true;
    });
    await nextTurn();
    expect(waitedRan).toBe(false);
    clock = 25;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(waitedRan).toBe(true);
    blocker.release();
    await tasks.drain(1000);
  });

  it('log a failing task and still run the others', async () => {
    const errors: unknown[] = [];
    const logger = { error: (obj: unknown) => errors.push(obj), warn: () => undefined };
    const tasks = createBackgroundTasks({ logger: logger as never, concurrency: { normal: 1 } });
    const ran: string[] = [];
    tasks.run('throws', async () => {
      throw new Error('boom');
    });
    tasks.run('throws synchronously', () => {
      throw new Error('sync boom');
    });
    tasks.run('fine', async () => {
      ran.push('fine');
    });
    expect(await tasks.drain(1000)).toBe(true);
    expect(ran).toEqual(['fine']);
    expect(errors).toEqual([
      expect.objectContaining({ task: 'throws', error: 'Error: boom' }),
      expect.objectContaining({ task: 'throws synchronously', error: 'Error: sync boom' }),
    ]);
  });

  it('report a drain that timed out while a task is still running', async () => {
    const tasks = createBackgroundTasks({ logger: silent });
    const blocker = gate();
    tasks.run('stuck', () => blocker.done);
    expect(await tasks.drain(20)).toBe(false);
    expect(tasks.pending).toBe(1);
    blocker.release();
    expect(await tasks.drain(1000)).toBe(true);
  });
});
