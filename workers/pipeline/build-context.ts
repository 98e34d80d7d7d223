import type { Config } from '../../src/config/load-config.ts';
import type { BuildRequest } from '../../src/domain/build-request.ts';
import type { IdenticalBuildInputs } from '../../src/domain/identical-build.ts';
import type { ImageType } from '../../src/domain/image-types.ts';
import type { Logger } from '../../src/logger.ts';
import type { Artifact, BuildProgress, StepTimings } from '../../src/queue/build-job.ts';
import type { IdenticalBuildClaims } from '../../src/queue/identical-build-claims.ts';
import type { TrustArtifact } from '../../src/signing/publish-trust-files.ts';
import type { ArtifactStore } from '../../src/storage/artifact-store.ts';
import type { CachedBuild } from '../../src/storage/build-cache.ts';
import type { BootTestResult } from '../boot-test/run-boot-test.ts';
import type { Podman } from '../podman.ts';
import type { BuildLog } from './build-log.ts';

/** Everything one build attempt needs, passed in so each step is testable on its own. */
export interface BuildContext {
  buildId: string;
  attempt: number;
  request: BuildRequest;
  settings: Pick<Config, 'worker' | 'registries' | 'linkTtlSeconds' | 'workerName'> &
    Partial<Pick<Config, 'access' | 'presets' | 'signing' | 'bootTest'>>;
  podman: Podman;
  store: ArtifactStore;
  /** Deduplication of concurrent identical builds; without it (tests, tools) identical builds simply both run. */
  claims?: IdenticalBuildClaims;
  logger: Logger;
  /** Aborted on cancel, shutdown or a step's timeout; every step passes it on to podman and the uploader. */
  signal: AbortSignal;
  progress: (p: Omit<BuildProgress, 'host' | 'attempt'>) => void;
  /** What the steps found and made so far: each step reads what earlier ones wrote. */
  state: BuildState;
  /** The attempt's hold on the job lock; without it (tests, tools) every publish is allowed. */
  fence?: AttemptFence;
}

/** What steps need of the attempt's fence: a tag for per-attempt keys and a check before anything final. */
export interface AttemptFence {
  readonly tag: string;
  /** Throws when the job lock is no longer this attempt's. */
  check(): Promise<void>;
}

/** Called right before a write under a final name (log, manifest, cache entry): only the lock holder may. */
export async function beforePublish(ctx: { fence?: AttemptFence }): Promise<void> {
  await ctx.fence?.check();
}

/** Per-attempt paths: a fresh directory each attempt, so a retried build never sees a previous attempt's output. */
export interface AttemptPaths {
  root: string;
  authFile: string;
  configToml: string;
  outputDir: string;
  buildLog: string;
}

/** Digests podman recorded for the images this attempt pulled. */
export interface PulledImages {
  builderDigest: string;
  sourceDigest: string;
  payloadDigest?: string;
}

export interface BuildState {
  timings: StepTimings;
  paths?: AttemptPaths;
  log?: BuildLog;
  podmanVersion?: string;
  /** Registries logged into. */
  registries?: string[];
  pulled?: PulledImages;
  /** `key` covers every type asked for (claims); `perType` holds each type's own key (the cache answers per type). */
  identical?: { key: string; inputs: IdenticalBuildInputs; perType: Partial<Record<ImageType, string>> };
  /** The image built from the request's Containerfile: handed to the builder instead of the source. */
  derived?: { ref: string; digest: string };
  /** Set when earlier identical builds answer every type of this one: no builder runs. */
  reused?: CachedBuild;
  /** Images of types earlier identical builds already made, reused as they are; only the others are built. */
  reusedImages?: Artifact[];
  /** Files the builder wrote, by type, waiting for upload. */
  outputs?: { type: ImageType; path: string }[];
  /** Everything uploaded (or reused) for this build, images first. */
  artifacts: Artifact[];
  link?: { url: string; expiresAt: string };
  /** Download links of every image, by object key (the first one is `link`). */
  links?: Record<string, string>;
  manifestKey?: string;
  finishedAt?: string;
  /** When this attempt began (the provenance's startedOn). */
  startedAt?: string;
  /** The boot test's outcome, when the build had one. */
  bootTest?: BootTestResult;
  /** SHA256SUMS and, with a key, its signature and the provenance, as published. */
  signing?: { keyId: string | null; note: string; files: TrustArtifact[] };
}

export function emptyState(): BuildState {
  return { timings: {}, artifacts: [], startedAt: new Date().toISOString() };
}

/** A value an earlier step must have set; its absence is a bug in the step list, not a user error. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`pipeline: ${what} is not set by an earlier step`);
  return value;
}
