import type { ErrorSummary } from '../domain/errors.ts';
import type { ImageType } from '../domain/image-types.ts';

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
   * The identical build this one waits for. Such a job is active only for the instant a worker looks
   * again, so readers show it as waiting throughout instead of flipping between running and queued.
   */
  waitingFor?: string;
  /** Where the build is in its own plan of pipeline steps ("step 3 of 9"). */
  plan?: { index: number; total: number; name: string };
}

export interface StepTimings {
  [step: string]: number;
}

/** The files that let a user check the others: SHA256SUMS, its signature and the signed provenance, in that order. */
export const TRUST_ROLES = ['checksums', 'checksums-signature', 'provenance'] as const;
export type TrustRole = (typeof TRUST_ROLES)[number];

export const isTrustRole = (role: string): role is TrustRole =>
  (TRUST_ROLES as readonly string[]).includes(role);

/** One file a build produced: an image of a requested type, the build log, or one of the checking files. */
export interface Artifact {
  role: 'image' | 'log' | TrustRole;
  /** The image type for role `image`; `log` for the build log; the role itself for the checking files. */
  type: ImageType | 'log' | TrustRole;
  key: string;
  /** The name a download gets. */
  filename: string;
  size: number;
  sha256: string;
  /** The id of the key that signed this file (the signature and the provenance of a signed build). */
  keyId?: string;
  /** Time-limited download link (job results only; never in manifest.json, where it would outlive its expiry). */
  url?: string;
}

/** The job's return value: everything a front end needs to present the result. */
export interface BuildResult {
  buildId: string;
  /** The first image artifact, kept for readers that know one ISO per build. */
  iso: { key: string; size: number; sha256: string; filename: string };
  /** Every artifact of the build, images first, then the log, then the checking files (absent in results of older workers). */
  artifacts?: Artifact[];
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
  /** Set when no builder ran: the ISO is the one of this earlier identical build. */
  reusedFrom?: string;
}

export function isBuildProgress(value: unknown): value is BuildProgress {
  return typeof value === 'object' && value !== null && typeof (value as BuildProgress).step === 'string';
}
