import type { BuildRequest } from '../../domain/build-request.ts';
import type { ErrorSummary } from '../../domain/errors.ts';
import type { BuildProgress, BuildResult } from '../../queue/build-job.ts';

export type BuildState = 'queued' | 'running' | 'retrying' | 'completed' | 'failed' | 'cancelled';

/** Everything the status message shows; read from the queue job each time, never accumulated from events. */
export interface BuildStatus {
  buildId: string;
  request: BuildRequest;
  state: BuildState;
  progress?: BuildProgress;
  /** Builds ahead of this one in the queue (queued only). */
  ahead?: number;
  result?: BuildResult;
  error?: ErrorSummary;
  /** Slack user id ("U…" or "slack:U…"), or "cli:<user>". */
  cancelledBy?: string;
  logUrl?: string;
  linkExpired?: boolean;
  /** Not rendered: a changing timestamp would make every render differ and defeat update coalescing. */
  updatedAt: Date;
}
