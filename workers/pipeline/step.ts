import type { Logger } from '../../src/logger.ts';
import type { BuildStep, StepTimings } from '../../src/queue/build-job.ts';
import type { BuildLog } from './build-log.ts';

/** Whether a step runs while the pipeline succeeds (the default), whatever happened, or only after a failure. */
export type RunWhen = 'success' | 'always' | 'failure';

/** What the runner hands a step besides its context. */
export interface StepScope {
  /** Registers a clean-up; clean-ups run after the last step, newest first, whatever the outcome. */
  defer(what: string, fn: () => Promise<void> | void): void;
  /** Set for steps that run after a failure: what failed. */
  failure?: unknown;
}

/**
 * One named phase of a build. `C` is the narrowest context the step reads, so its test builds only that; any
 * fuller context (the pipeline's) is accepted where a narrower one is declared.
 */
export interface Step<C> {
  name: string;
  /** The phase people see in Slack and the CLI while this step runs. */
  shows: BuildStep;
  /** The progress message while it runs. */
  describe: (ctx: C) => string;
  when?: RunWhen;
  /** False leaves the step out of this build's plan (it is not counted in "step N of M"). */
  planned?: (ctx: C) => boolean;
  /** A reason to skip the step, decided when its turn comes (an earlier step may have made it unnecessary). */
  skip?: (ctx: C, failure: unknown) => string | undefined;
  /** Longest the step may take; on expiry its signal aborts and the build fails with TIMEOUT. */
  timeoutMs?: (ctx: C) => number | undefined;
  /** Key its duration is recorded under in the build's timings (default: the name). */
  timing?: string;
  run: (ctx: C, scope: StepScope) => Promise<void>;
}

/** The part of a context the runner itself uses. */
export interface RunnerContext {
  signal: AbortSignal;
  logger: Logger;
  progress: (p: {
    step: BuildStep;
    message: string;
    plan?: { index: number; total: number; name: string };
  }) => void;
  state: { timings: StepTimings; log?: BuildLog };
}
