import type { ErrorSummary } from '../domain/errors.ts';

/** The steps a build goes through, in order; shown to users as it moves. */
export const BUILD_STEPS = [
  'preflight',
  'login',
  'pull',
  'build',
  'upload',
  'link',
  'done',
  'failed',
] as const;
export type BuildStep = (typeof BUILD_STEPS)[number];

/** What `job.progress` holds: the latest state of the build, kept small (every update is a Redis write). */
export interface BuildProgress {
  step: BuildStep;
  message: string;
  percent?: number;
  host?: string;
  attempt?: number;
  /** Set with step 'failed' just before the job fails, so readers get the code and the log tail. */
  error?: ErrorSummary;
  /**
   * The identical build this one waits for (issue 6 §5). Such a job is active only for the instant a worker looks
   * again, so readers show it as waiting throughout instead of flipping between running and queued.
   */
  waitingFor?: string;
}

export interface StepTimings {
  [step: string]: number;
}

/** The job's return value: everything a front end needs to present the result. */
export interface BuildResult {
  buildId: string;
  iso: { key: string; size: number; sha256: string; filename: string };
  logKey: string;
  manifestKey: string;
  link: { url: string; expiresAt: string };
  sourceImage: string;
  sourceDigest: string;
  builderImage: string;
  builderDigest: string;
  workerHost: string;
  /** Milliseconds per step. */
  timings: StepTimings;
  finishedAt: string;
  /** Set when no builder ran: the ISO is the one of this earlier identical build (issue 6 §5). */
  reusedFrom?: string;
}

export function isBuildProgress(value: unknown): value is BuildProgress {
  return typeof value === 'object' && value !== null && typeof (value as BuildProgress).step === 'string';
}
