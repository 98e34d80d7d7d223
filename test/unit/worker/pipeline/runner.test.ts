import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/domain/errors.ts';
import type { BuildProgress } from '../../../../src/queue/build-job.ts';
import { BuildLog } from '../../../../workers/pipeline/build-log.ts';
import { runPipeline } from '../../../../workers/pipeline/runner.ts';
import type { RunnerContext, Step } from '../../../../workers/pipeline/step.ts';
import { silent, tempDir } from './support.ts';

interface Ctx extends RunnerContext {
  events: string[];
  progressSeen: Omit<BuildProgress, 'host' | 'attempt'>[];
  skipUpload: boolean;
}

function context(log?: BuildLog): Ctx {
  const progressSeen: Ctx['progressSeen'] = [];
  return {
    events: [],
    progressSeen,
    skipUpload: false,
    signal: new AbortController().signal,
    logger: silent,
    progress: (p) => void progressSeen.push(p),
    state: { timings: {}, ...(log ? { log } : {}) },
  };
}

function step(name: string, extra: Partial<Step<Ctx>> = {}): Step<Ctx> {
  return {
    name,
    shows: 'build',
    describe: () => `doing ${name}`,
    async run(ctx, scope) {
      ctx.events.push(name);
      scope.defer(`undo ${name}`, () => void ctx.events.push(`undo ${name}`));
    },
    ...extra,
  };
}

const boom = (name: string): Partial<Step<Ctx>> => ({
  async run(ctx) {
    ctx.events.push(name);
    throw new AppError('BUILDER_FAILED', `${name} broke`);
  },
});

describe('pipeline runner', () => {
  it('runs the plan in order, reports "step N of M" from this build\'s plan, times each step, cleans up newest first', async () => {
    const ctx = context();
    const steps = [step('a'), step('not-for-us', { planned: () => false }), step('b'), step('c')];
    expect(await runPipeline(steps, ctx)).toEqual({ ok: true });
    expect(ctx.events).toEqual(['a', 'b', 'c', 'undo c', 'undo b', 'undo a']);
    expect(ctx.progressSeen.map((p) => p.plan)).toEqual([
      { index: 1, total: 3, name: 'a' },
      { index: 2, total: 3, name: 'b' },
      { index: 3, total: 3, name: 'c' },
    ]);
    expect(ctx.progressSeen[0]?.message).toBe('doing a');
    expect(Object.keys(ctx.state.timings)).toEqual(['a', 'b', 'c']);
  });

  it('skips a step whose condition says so when its turn comes, without a timing', async () => {
    const ctx = context();
    const steps = [
      step('a', {
        async run(c) {
          c.events.push('a');
          c.skipUpload = true;
        },
      }),
      step('upload', { skip: (c) => (c.skipUpload ? 'nothing to upload' : undefined), timing: 'up' }),
    ];
    expect(await runPipeline(steps, ctx)).toEqual({ ok: true });
    expect(ctx.events).toEqual(['a']);
    expect(ctx.state.timings.up).toBeUndefined();
  });

  it('after a failure runs only "always" and "failure" steps, hands them the failure, and reports the first failure', async () => {
    const ctx = context();
    let seen: unknown;
    const steps = [
      step('a'),
      step('b', boom('b')),
      step('c'),
      step('always', { when: 'always' }),
      step('on-failure', {
        when: 'failure',
        async run(c, scope) {
          c.events.push('on-failure');
          seen = scope.failure;
          throw new Error('a clean-up step failing too is only logged');
        },
      }),
    ];
    const run = await runPipeline(steps, ctx);
    expect(run.ok).toBe(false);
    expect(run.ok === false && run.step).toBe('b');
    expect(run.ok === false && (run.error as AppError).message).toBe('b broke');
    expect((seen as AppError).message).toBe('b broke');
    expect(ctx.events).toEqual(['a', 'b', 'always', 'on-failure', 'undo always', 'undo a']);
  });

  it('never runs "failure" steps when all went well', async () => {
    const ctx = context();
    await runPipeline([step('a'), step('on-failure', { when: 'failure' })], ctx);
    expect(ctx.events).toEqual(['a', 'undo a']);
  });

  it('stops a step at its time limit through its signal and fails the build with TIMEOUT naming the step', async () => {
    const ctx = context();
    let sawAbort = false;
    const slow = step('slow', {
      timeoutMs: () => 100,
      run: (c) =>
        new Promise<void>((_resolve, reject) => {
          c.signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new AppError('CANCELLED', 'stopped'));
          });
        }),
    });
    const started = Date.now();
    const run = await runPipeline([slow, step('after')], ctx);
    expect(sawAbort).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.ok === false && (run.error as AppError).code).toBe('TIMEOUT');
    expect(run.ok === false && (run.error as AppError).message).toMatch(/step slow took longer than 0.1 s/);
    expect(ctx.events).toEqual([]);
    // The build's own signal was not aborted: only the step's.
    expect(ctx.signal.aborted).toBe(false);
  });

  it('writes each step and a failure into the build log', async () => {
    const path = join(await tempDir(), 'build.log');
    const log = new BuildLog(path);
    await runPipeline([step('a'), step('b', boom('b'))], context(log));
    await log.close();
    const text = await readFile(path, 'utf8');
    expect(text).toContain('== step 1 of 2: a');
    expect(text).toContain('== step 2 of 2: b');
    expect(text).toMatch(/== step b failed after \d+ ms: b broke/);
  });
});
