import type { Job } from 'bullmq';
import { ARCHES, type BuildRequest } from '../../domain/build-request.ts';
import { queueHolding } from '../../queue/find-build.ts';
import type { BuildStatus } from '../messages/status-message.ts';
import { readBuildStatus } from '../notify/read-build-status.ts';
import type { SlackDeps } from '../slack-deps.ts';

const MAX_LISTED = 20;

/** Recent builds across every arch queue, newest first, filtered by who asked or where. */
export async function listBuilds(
  deps: SlackDeps,
  scope: 'mine' | 'channel' | 'all',
  who: { userId: string; channelId: string },
): Promise<BuildStatus[]> {
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
  const statuses = await Promise.all(
    matching.map(async (job) => {
      const buildId = job.id ?? '';
      const record = await deps.records.get(buildId);
      return readBuildStatus(deps.queues, (job.data as BuildRequest).arch, buildId, record);
    }),
  );
  return statuses.filter((s): s is BuildStatus => s !== undefined);
}

export async function buildStatusOf(deps: SlackDeps, buildId: string): Promise<BuildStatus | undefined> {
  for (const arch of ARCHES) {
    const queue = await queueHolding(deps.queues, arch, buildId);
    if (queue) return readBuildStatus(deps.queues, arch, buildId, await deps.records.get(buildId));
  }
  return undefined;
}
