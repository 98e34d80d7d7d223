import type { Job } from 'bullmq';
import type { Arch } from '../domain/build-request.ts';
import type { ErrorSummary } from '../domain/errors.ts';
import { type BuildProgress, type BuildResult, isBuildProgress } from '../queue/build-job.ts';

/** The states `bootc-iso jobs --state` filters on; "waiting" includes BullMQ's "prioritized". */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** What `jobs` and `job` show (and print with --json) about one build. */
export interface JobView {
  buildId: string;
  arch: Arch;
  /** A JobState, or BullMQ's own name for anything else ("prioritized", "unknown"). */
  state: string;
  source: string;
  type: string;
  preset?: string;
  builder: string;
  builderImage: string;
  requester: string;
  requestedAt?: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  attemptsMade: number;
  attempts: number;
  progress?: BuildProgress;
  result?: BuildResult;
  /** What the build made (images first, then the log), each with its link: the result's list. */
  artifacts?: NonNullable<BuildResult['artifacts']>;
  error?: ErrorSummary;
}

export type JobLike = Pick<
  Job,
  | 'id'
  | 'data'
  | 'timestamp'
  | 'processedOn'
  | 'finishedOn'
  | 'attemptsMade'
  | 'opts'
  | 'progress'
  | 'returnvalue'
  | 'failedReason'
>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined || ms === null || !Number.isFinite(ms) || ms <= 0 ? undefined : new Date(ms).toISOString();

/** "cli:alice", "slack:U123 in C456", or the requester kind for anything newer. */
export function requesterLabel(requester: unknown): string {
  const r = (requester ?? {}) as Record<string, unknown>;
  if (r.kind === 'cli') return `cli:${str(r.user)}`;
  if (r.kind === 'slack') return `slack:${str(r.userId)}${r.channelId ? ` in ${str(r.channelId)}` : ''}`;
  return str(r.kind) || 'unknown';
}

/** Reads a queue job defensively: the data of a job that bypassed the producer may be anything. */
export function toJobView(job: JobLike, state: string, arch: Arch): JobView {
  const data = (job.data ?? {}) as Record<string, unknown>;
  const builder = (data.builder ?? {}) as Record<string, unknown>;
  const progress = isBuildProgress(job.progress) ? job.progress : undefined;
  const view: JobView = {
    buildId: job.id ?? '',
    arch,
    state,
    source: str(data.source),
    // Several types read "qcow2, raw"; a job of an older producer has `type` only.
    type: Array.isArray(data.types) ? data.types.map(str).join(', ') : str(data.type),
    builder: str(builder.name),
    builderImage: str(builder.image),
    requester: requesterLabel(data.requester),
    queuedAt: iso(job.timestamp) ?? '',
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
  };
  if (typeof data.preset === 'string') view.preset = data.preset;
  if (typeof data.requestedAt === 'string') view.requestedAt = data.requestedAt;
  const startedAt = iso(job.processedOn);
  if (startedAt) view.startedAt = startedAt;
  const finishedAt = iso(job.finishedOn);
  if (finishedAt && (state === 'completed' || state === 'failed')) view.finishedAt = finishedAt;
  if (progress) view.progress = progress;
  if (state === 'completed' && job.returnvalue) {
    view.result = job.returnvalue as BuildResult;
    if (Array.isArray(view.result.artifacts)) view.artifacts = view.result.artifacts;
  }
  if (state === 'failed') {
    view.error = progress?.error ?? { code: 'INTERNAL', message: job.failedReason ?? 'failed', logTail: [] };
  }
  return view;
}
