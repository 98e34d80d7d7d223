import { AppError } from '../../src/domain/errors.ts';
import type { RunnerContext, Step, StepScope } from './step.ts';

/** How a run of the pipeline ended: every planned step that had to run succeeded, or one failed first. */
export type PipelineRun = { ok: true } | { ok: false; error: unknown; step: string };

/** How long a step that overran its limit gets to notice its aborted signal before the runner moves on. */
const OVERRUN_GRACE_MS = 10_000;

/**
 * Runs the steps in order. The runner owns what every step needs alike: the plan ("step 3 of 9"), progress,
 * timing, logging, per-step time limits, skip conditions, run-after-failure flags and LIFO clean-up. The first
 * failure is the outcome; steps marked `always` or `failure` still run after it, and their own failures are logged.
 */
export async function runPipeline<C extends RunnerContext>(
  steps: readonly Step<C>[],
  ctx: C,
): Promise<PipelineRun> {
  const plan = steps.filter((s) => s.planned?.(ctx) ?? true);
  const cleanups: { what: string; fn: () => Promise<void> | void }[] = [];
  let failure: { error: unknown; step: string } | undefined;
  for (const [i, step] of plan.entries()) {
    const when = step.when ?? 'success';
    if (failure ? when === 'success' : when === 'failure') continue;
    const why = step.skip?.(ctx, failure?.error);
    const position = { index: i + 1, total: plan.length, name: step.name };
    if (why) {
      ctx.logger.debug({ step: step.name, why }, 'step skipped');
      continue;
    }
    ctx.progress({ step: step.shows, message: step.describe(ctx), plan: position });
    ctx.state.log?.line(`== step ${position.index} of ${position.total}: ${step.name}`);
    const scope: StepScope = {
      defer: (what, fn) => void cleanups.push({ what, fn }),
      ...(failure ? { failure: failure.error } : {}),
    };
    const started = performance.now();
    try {
      await runOne(step, ctx, scope);
      const ms = Math.round(performance.now() - started);
      ctx.state.timings[step.timing ?? step.name] = ms;
      ctx.logger.debug({ step: step.name, ms }, 'step done');
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      ctx.state.timings[step.timing ?? step.name] = ms;
      const message = error instanceof Error ? error.message : String(error);
      ctx.state.log?.line(`== step ${step.name} failed after ${ms} ms: ${message}`);
      if (failure) {
        ctx.logger.warn({ step: step.name, error: message }, 'step after a failure failed too');
        continue;
      }
      ctx.logger.info({ step: step.name, ms, error: message }, 'step failed');
      failure = { error, step: step.name };
    }
  }
  for (const { what, fn } of cleanups.reverse()) {
    try {
      await fn();
    } catch (error) {
      ctx.logger.warn({ cleanup: what, error: String(error) }, 'clean-up failed');
    }
  }
  return failure ? { ok: false, ...failure } : { ok: true };
}

/** Runs one step under its time limit: its signal aborts at the limit, and the overrun becomes a TIMEOUT. */
async function runOne<C extends RunnerContext>(step: Step<C>, ctx: C, scope: StepScope): Promise<void> {
  const limit = step.timeoutMs?.(ctx);
  if (limit === undefined) return step.run(ctx, scope);
  const deadline = new AbortController();
  const signal = AbortSignal.any([ctx.signal, deadline.signal]);
  const running = step.run({ ...ctx, signal }, scope);
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<'overran'>((resolve) => {
    timer = setTimeout(() => {
      deadline.abort(`${step.name} timed out`);
      resolve('overran');
    }, limit);
  });
  try {
    const first = await Promise.race([running.then(() => 'done' as const), overran]);
    if (first === 'done') return;
  } catch (error) {
    if (!deadline.signal.aborted || ctx.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  // Give the step a moment to stop what it started (podman killed, files closed) before clean-up removes them.
  await Promise.race([running.catch(() => undefined), new Promise((r) => setTimeout(r, OVERRUN_GRACE_MS))]);
  if (ctx.signal.aborted)
    throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error(String(ctx.signal.reason));
  throw new AppError('TIMEOUT', `step ${step.name} took longer than ${limit / 1000} s and was stopped`);
}
