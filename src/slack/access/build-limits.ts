import { ARCHES, type BuildRequest } from '../../domain/build-request.ts';
import type { BuildQueues } from '../../queue/build-producer.ts';
import type { Decision } from './access-policy.ts';

const OPEN_STATES = ['waiting', 'active', 'delayed', 'prioritized'] as const;

/** Builds queued or running for this person and this channel, across every arch queue. */
export async function openBuilds(queues: BuildQueues, who: { userId: string; channelId: string }) {
  let user = 0;
  let channel = 0;
  for (const arch of ARCHES) {
    const jobs = await queues.get(arch).getJobs([...OPEN_STATES], 0, 1000);
    for (const job of jobs) {
      const requester = (job.data as BuildRequest).requester;
      if (requester.kind !== 'slack') continue;
      if (requester.userId === who.userId) user += 1;
      if (requester.channelId === who.channelId) channel += 1;
    }
  }
  return { user, channel };
}

/** So that one person (or one channel) cannot fill the fleet. 0 means no limit. */
export async function checkBuildLimits(
  queues: BuildQueues,
  limits: { perUser: number; perChannel: number },
  who: { userId: string; channelId: string },
): Promise<Decision> {
  if (limits.perUser === 0 && limits.perChannel === 0) return { allowed: true };
  const open = await openBuilds(queues, who);
  if (limits.perUser > 0 && open.user >= limits.perUser) {
    return {
      allowed: false,
      reason: `You already have ${open.user} builds queued or running (the limit is ${limits.perUser}); wait for one to finish or cancel one.`,
    };
  }
  if (limits.perChannel > 0 && open.channel >= limits.perChannel) {
    return {
      allowed: false,
      reason: `This channel already has ${open.channel} builds queued or running (the limit is ${limits.perChannel}); try again later.`,
    };
  }
  return { allowed: true };
}
