import type { BuildRequest } from '../../domain/build-request.ts';
import type { ErrorSummary } from '../../domain/errors.ts';
import { type BuildProgress, type BuildResult, isBuildProgress } from '../../queue/build-job.ts';
import type { BuildQueues } from '../../queue/build-producer.ts';
import { queueHolding } from '../../queue/find-build.ts';
import { readJobWithState } from '../../queue/read-job.ts';
import type { BuildRecord } from '../build-records.ts';
import type { BuildStatus } from '../messages/status-message.ts';

/**
 * The result with the links of a Fresh link press: every artifact gets its re-signed link, and one that was not
 * re-signed (gone from storage) loses its old, expired one rather than showing it as fresh.
 */
export function withFreshLinks(result: BuildResult, fresh: NonNullable<BuildRecord['link']>): BuildResult {
  const { urls = {}, ...link } = fresh;
  const out: BuildResult = { ...result, link: { url: link.url, expiresAt: link.expiresAt } };
  if (result.artifacts)
    out.artifacts = result.artifacts.map(({ url: _old, ...a }) => {
      const url = Object.hasOwn(urls, a.key) ? urls[a.key] : undefined;
      return url !== undefined ? { ...a, url } : a;
    });
  return out;
}

/** The authoritative state of a build, read from its queue job (not from events, which may repeat or be missed). */
export async function readBuildStatus(
  queues: BuildQueues,
  arch: BuildRequest['arch'],
  buildId: string,
  record: BuildRecord | undefined,
  now = new Date(),
): Promise<BuildStatus | undefined> {
  const queue = await queueHolding(queues, arch, buildId);
  const found = queue && (await readJobWithState(queue, buildId));
  if (!found) return undefined;
  const { job, state } = found;
  const request = job.data as BuildRequest;
  const progress: BuildProgress | undefined = isBuildProgress(job.progress) ? job.progress : undefined;
  const base = {
    buildId,
    request,
    updatedAt: now,
    ...(progress ? { progress } : {}),
    ...(record?.cancelledBy ? { cancelledBy: record.cancelledBy } : {}),
  };
  const logUrl = record?.logUrl;

  if (state === 'completed') {
    const result = job.returnvalue as BuildResult;
    const withLink = record?.link ? withFreshLinks(result, record.link) : result;
    const { link } = withLink;
    return {
      ...base,
      state: 'completed',
      result: withLink,
      linkExpired: Date.parse(link.expiresAt) <= now.getTime(),
      ...(logUrl ? { logUrl } : {}),
    };
  }
  if (state === 'failed') {
    const error: ErrorSummary = progress?.error ?? {
      code: 'INTERNAL',
      message: job.failedReason,
      logTail: [],
    };
    // Only the worker knows whether the cancel stopped the build: a build that failed on its own just before someone
    // clicked Cancel is a failure, shown with its error, not a cancel.
    const cancelled = error.code === 'CANCELLED';
    return { ...base, state: cancelled ? 'cancelled' : 'failed', error, ...(logUrl ? { logUrl } : {}) };
  }
  if (state === 'active' && !progress?.waitingFor) return { ...base, state: 'running' };
  const retrying = job.attemptsMade > 0;
  // The wait list is newest-first: builds queued before this one are those after it. LPOS finds it without
  // reading the jobs (a sync runs for every build event, so this must not grow with the queue).
  const client = queues.connection;
  const waitKey = queue.toKey('wait');
  const [index, length, active] = await Promise.all([
    client.lpos(waitKey, buildId),
    client.llen(waitKey),
    queue.getActiveCount(),
  ]);
  const ahead = active + (index !== null && index >= 0 ? length - 1 - index : 0);
  return { ...base, state: retrying ? 'retrying' : 'queued', ahead };
}
