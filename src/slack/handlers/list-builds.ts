import type { Job } from 'bullmq';
import { ARCHES, type BuildRequest } from '../../domain/build-request.ts';
import { queueHolding } from '../../queue/find-build.ts';
import { linkViewer, withoutDetails } from '../access/build-visibility.ts';
import type { BuildListItem } from '../messages/command-replies.ts';
import type { BuildStatus } from '../messages/status-message.ts';
import { readBuildStatus } from '../notify/read-build-status.ts';
import type { SlackDeps } from '../slack-deps.ts';

const MAX_LISTED = 20;

/**
 * Recent builds across every arch queue, newest first, filtered by who asked or where. Builds whose links this
 * person may not see come back as id and state only.
 */
export async function listBuilds(
  deps: SlackDeps,
  scope: 'mine' | 'channel' | 'all',
  who: { userId: string; channelId: string },
): Promise<BuildListItem[]> {
  const jobs: Job[] = [];
  for (const queue of deps.queues.all()) {
    jobs.push(
      ...(await queue.getJobs(
        ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'],
        0,
        100,
      )),
    );
  }
  const matching = jobs
    .filter((job) => {
      const requester = (job.data as BuildRequest).requester;
      if (scope === 'all') return true;
      if (requester.kind !== 'slack') return false;
      return scope === 'mine' ? requester.userId === who.userId : requester.channelId === who.channelId;
    })
    .sort((a, b) => b.timestamp - a.timestamp)
    .slice(0, MAX_LISTED);
  const mayView = await linkViewer(deps, who.userId);
  const statuses = await Promise.all(
    matching.map(async (job): Promise<BuildListItem | undefined> => {
      const buildId = job.id ?? '';
      const record = await deps.records.get(buildId);
      const status = await readBuildStatus(deps.queues, (job.data as BuildRequest).arch, buildId, record);
      if (!status) return undefined;
      return (await mayView(status.request, record?.requester)) ? status : withoutDetails(status);
    }),
  );
  return statuses.filter((s): s is BuildListItem => s !== undefined);
}

/** One build's status, and whether this person may see its details and links. */
export async function buildStatusOf(
  deps: SlackDeps,
  buildId: string,
  userId: string,
): Promise<{ status: BuildStatus; mayView: boolean } | undefined> {
  for (const arch of ARCHES) {
    const queue = await queueHolding(deps.queues, arch, buildId);
    if (!queue) continue;
    const record = await deps.records.get(buildId);
    const status = await readBuildStatus(deps.queues, arch, buildId, record);
    if (!status) return undefined;
    const mayView = await (await linkViewer(deps, userId))(status.request, record?.requester);
    return { status, mayView };
  }
  return undefined;
}
