import type { Redis } from 'ioredis';
import type { Arch } from '../../domain/build-request.ts';
import type { BuildQueues } from '../../queue/build-producer.ts';
import { QUEUE_PREFIX } from '../../queue/names.ts';
import type { Decision } from './access-policy.ts';

/**
 * Builds a person or a channel has queued or running, kept as small Redis sets of `arch:buildId` so that the check
 * before a modal's ack costs a few look-ups, not a scan of every queued job (measured: a scan of ~1000 queued jobs
 * took 1.4 s, against Slack's 3-second deadline). Finished builds are dropped from the sets when next seen.
 */
const setKey = (kind: 'user' | 'channel', id: string) => `${QUEUE_PREFIX}:slack:open:${kind}:${id}`;
const OPEN_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const SET_TTL_SECONDS = 30 * 24 * 3600;

export async function trackOpenBuild(
  redis: Redis,
  who: { userId: string; channelId: string },
  arch: Arch,
  buildId: string,
): Promise<void> {
  const member = `${arch}:${buildId}`;
  await redis
    .multi()
    .sadd(setKey('user', who.userId), member)
    .expire(setKey('user', who.userId), SET_TTL_SECONDS)
    .sadd(setKey('channel', who.channelId), member)
    .expire(setKey('channel', who.channelId), SET_TTL_SECONDS)
    .exec();
}

async function countOpen(redis: Redis, queues: BuildQueues, key: string): Promise<number> {
  let open = 0;
  for (const member of await redis.smembers(key)) {
    const [arch, buildId] = member.split(':') as [Arch, string];
    const state = await queues.get(arch).getJobState(buildId);
    if (OPEN_STATES.has(state)) open += 1;
    else await redis.srem(key, member);
  }
  return open;
}

/** So that one person (or one channel) cannot fill the fleet. 0 means no limit. */
export async function checkBuildLimits(
  redis: Redis,
  queues: BuildQueues,
  limits: { perUser: number; perChannel: number },
  who: { userId: string; channelId: string },
): Promise<Decision> {
  if (limits.perUser > 0) {
    const user = await countOpen(redis, queues, setKey('user', who.userId));
    if (user >= limits.perUser) {
      return {
        allowed: false,
        reason: `You already have ${user} builds queued or running (the limit is ${limits.perUser}); wait for one to finish or cancel one.`,
      };
    }
  }
  if (limits.perChannel > 0) {
    const channel = await countOpen(redis, queues, setKey('channel', who.channelId));
    if (channel >= limits.perChannel) {
      return {
        allowed: false,
        reason: `This channel already has ${channel} builds queued or running (the limit is ${limits.perChannel}); try again later.`,
      };
    }
  }
  return { allowed: true };
}
