import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLifecycle, REPEAT_SIGNAL_MS } from '../../../src/lifecycle/process-lifecycle.ts';

function setUp() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const events: string[] = [];
  const clock = { ms: 0 };
  const lifecycle = createLifecycle(pino({ level: 'silent' }), {
    signals,
    exit: (code) => void exits.push(code),
    now: () => clock.ms,
  });
  return { signals, exits, events, lifecycle, clock };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('process lifecycle', () => {
  it('on a signal stops the parts newest first, telling them why, then exits 0', async () => {
    const { signals, exits, events, lifecycle } = setUp();
    for (const name of ['redis', 'worker', 'bot'])
      lifecycle.add({ name, stop: async (why) => void events.push(`${name}:${why}`) });
    signals.emit('SIGTERM');
    await tick();
    expect(events).toEqual(['bot:SIGTERM', 'worker:SIGTERM', 'redis:SIGTERM']);
    expect(exits).toEqual([0]);
  });

  it('goes on stopping the other parts when one fails, and exits 1', async () => {
    const { signals, exits, events, lifecycle } = setUp();
    lifecycle.add({ name: 'a', stop: async () => void events.push('a') });
    lifecycle.add({ name: 'b', stop: async () => Promise.reject(new Error('stuck')) });
    signals.emit('SIGINT');
    await tick();
    expect(events).toEqual(['a']);
    expect(exits).toEqual([1]);
  });

  it('stops once however often it is asked, and a second signal exits at once', async () => {
    const { signals, exits, events, lifecycle, clock } = setUp();
    let release: () => void = () => undefined;
    lifecycle.add({
      name: 'slow',
      stop: () =>
        new Promise<void>((r) => {
          events.push('stopping');
          release = r;
        }),
    });
    signals.emit('SIGTERM');
    const again = lifecycle.stop('finished');
    // The same Ctrl-C delivered twice (terminal and npm) within a second is one request, not two.
    clock.ms += REPEAT_SIGNAL_MS - 1;
    signals.emit('SIGINT');
    expect(exits).toEqual([]);
    clock.ms += 1;
    signals.emit('SIGTERM');
    expect(exits).toEqual([1]);
    release();
    expect(await again).toBe(true);
    expect(events).toEqual(['stopping']);
  });
});
