import type { Config } from '../../src/config/load-config.ts';
import type { BuildRequest } from '../../src/domain/build-request.ts';
import type { Logger } from '../../src/logger.ts';
import type { BuildProgress } from '../../src/queue/build-job.ts';
import type { IdenticalBuildClaims } from '../../src/queue/identical-build-claims.ts';
import type { ArtifactStore } from '../../src/storage/artifact-store.ts';
import type { Podman } from '../podman.ts';

/** Everything one build attempt needs, passed in so each step is testable on its own. */
export interface BuildContext {
  buildId: string;
  attempt: number;
  request: BuildRequest;
  settings: Pick<Config, 'worker' | 'registries' | 'linkTtlSeconds' | 'workerName'> &
    Partial<Pick<Config, 'access'>>;
  podman: Podman;
  store: ArtifactStore;
  /** Deduplication of concurrent identical builds; without it (tests, tools) identical builds simply both run. */
  claims?: IdenticalBuildClaims;
  logger: Logger;
  /** Aborted on cancel or shutdown; every step passes it on to podman and the uploader. */
  signal: AbortSignal;
  progress: (p: Omit<BuildProgress, 'host' | 'attempt'>) => void;
}

/** Per-attempt paths: a fresh directory each attempt, so a retried build never sees a previous attempt's output. */
export interface AttemptPaths {
  root: string;
  authFile: string;
  configToml: string;
  outputDir: string;
  buildLog: string;
}
