import { randomUUID } from 'node:crypto';
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

const reservationKey = (token: string) => `${QUEUE_PREFIX}:slack:reserved:${token}`;
const RESERVED = 'reserved:';
/** A reservation outlives a crashed bot by this much at most; the status post and enqueue take far less. */
const RESERVATION_TTL_MS = 5 * 60_000;

/**
 * A place in the limits for a build that was allowed but is not queued yet (issue 6): the status post and the
 * enqueue now run after the ack, so without it a quick second submission would not see the first one.
 */
export interface OpenBuildReservation {
  who: { userId: string; channelId: string };
  member: string;
  /** Settles when Redis has it; the commands are sent at once, so any later limit check sees the reservation. */
  written: Promise<unknown>;
  /** Set once the reservation was swapped for its build or released. */
  settled?: boolean;
}

export function reserveOpenBuild(
  redis: Redis,
  who: { userId: string; channelId: string },
): OpenBuildReservation {
  const token = randomUUID();
  const member = `${RESERVED}${token}`;
  const written = redis
    .multi()
    .set(reservationKey(token), '1', 'PX', RESERVATION_TTL_MS)
    .sadd(setKey('user', who.userId), member)
    .expire(setKey('user', who.userId), SET_TTL_SECONDS)
    .sadd(setKey('channel', who.channelId), member)
    .expire(setKey('channel', who.channelId), SET_TTL_SECONDS)
    .exec();
  // Awaited by whoever releases it; a failure here only means the limit is checked without it.
  written.catch(() => undefined);
  return { who, member, written };
}

/** Drops a reservation (the build was tracked, or it was never queued). Safe to call twice. */
export async function releaseOpenBuild(redis: Redis, reservation: OpenBuildReservation): Promise<void> {
  if (reservation.settled) return;
  await reservation.written.catch(() => undefined);
  const { who, member } = reservation;
  await redis
    .multi()
    .srem(setKey('user', who.userId), member)
    .srem(setKey('channel', who.channelId), member)
    .del(reservationKey(member.slice(RESERVED.length)))
    .exec();
  reservation.settled = true;
}

export async function trackOpenBuild(
  redis: Redis,
  who: { userId: string; channelId: string },
  arch: Arch,
  buildId: string,
  /** Swapped for the build in the same transaction, so the build is never counted twice. */
  reservation?: OpenBuildReservation,
): Promise<void> {
  const member = `${arch}:${buildId}`;
  await reservation?.written.catch(() => undefined);
  const multi = redis
    .multi()
    .sadd(setKey('user', who.userId), member)
    .expire(setKey('user', who.userId), SET_TTL_SECONDS)
    .sadd(setKey('channel', who.channelId), member)
    .expire(setKey('channel', who.channelId), SET_TTL_SECONDS);
  if (reservation) {
    multi
      .srem(setKey('user', reservation.who.userId), reservation.member)
      .srem(setKey('channel', reservation.who.channelId), reservation.member)
      .del(reservationKey(reservation.member.slice(RESERVED.length)));
  }
  await multi.exec();
  if (reservation) reservation.settled = true;
}

async function isOpen(redis: Redis, queues: BuildQueues, member: string): Promise<boolean> {
  if (member.startsWith(RESERVED))
    return (await redis.exists(reservationKey(member.slice(RESERVED.length)))) === 1;
  const [arch, buildId] = member.split(':') as [Arch, string];
  const states = await Promise.all(queues.ofArch(arch).map((q) => q.getJobState(buildId)));
  return states.some((state) => OPEN_STATES.has(state));
}

async function countOpen(redis: Redis, queues: BuildQueues, key: string): Promise<number> {
  const members = await redis.smembers(key);
  // All look-ups at once: one round trip's wait instead of one per member, before the ack.
  const open = await Promise.all(members.map((member) => isOpen(redis, queues, member)));
  const closed = members.filter((_, i) => !open[i]);
  if (closed.length > 0) await redis.srem(key, ...closed);
  return open.filter(Boolean).length;
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
