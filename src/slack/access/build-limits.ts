import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Arch } from '../../domain/build-request.ts';
import type { BuildQueues } from '../../queue/build-producer.ts';
import { QUEUE_PREFIX } from '../../queue/names.ts';

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
 * A place in the limits for a build that was allowed but is not queued yet: the status post and the enqueue run
 * after the ack, so without it a quick second submission would not see the first one.
 */
export interface OpenBuildReservation {
  who: { userId: string; channelId: string };
  member: string;
  /** Settles when Redis has it; the commands are sent at once, so any later limit check sees the reservation. */
  written: Promise<unknown>;
  /** Set once the reservation was swapped for its build or released. */
  settled?: boolean;
}

/**
 * Counts the open builds of the person and of the channel and, when both are under their limits, adds the
 * reservation to both sets, all in one script: Redis runs it alone, so no two submissions can both see room for
 * the last place. Reservation members whose key has lapsed (a crashed bot) no longer count and are dropped.
 * Returns 0 when reserved, 1 when the person is at the limit, 2 when the channel is; with the count as second value.
 */
const RESERVE_WITHIN_LIMITS = `
local function count(key)
  local n = 0
  for _, m in ipairs(redis.call('smembers', key)) do
    if string.sub(m, 1, 9) == 'reserved:' then
      if redis.call('exists', ARGV[6] .. string.sub(m, 10)) == 1 then n = n + 1 else redis.call('srem', key, m) end
    else
      n = n + 1
    end
  end
  return n
end
local perUser, perChannel = tonumber(ARGV[1]), tonumber(ARGV[2])
if perUser > 0 then
  local n = count(KEYS[1])
  if n >= perUser then return {1, n} end
end
if perChannel > 0 then
  local n = count(KEYS[2])
  if n >= perChannel then return {2, n} end
end
redis.call('set', KEYS[3], '1', 'PX', ARGV[4])
redis.call('sadd', KEYS[1], ARGV[3])
redis.call('expire', KEYS[1], ARGV[5])
redis.call('sadd', KEYS[2], ARGV[3])
redis.call('expire', KEYS[2], ARGV[5])
return {0, 0}
`;

export type Reserved =
  | { allowed: true; reservation: OpenBuildReservation }
  | { allowed: false; reason: string };

/**
 * So that one person (or one channel) cannot fill the fleet: finished builds are dropped from the sets, then the
 * check and the reservation happen atomically (0 means no limit). The reservation becomes the build once it is
 * queued (trackOpenBuild) or is released.
 */
export async function reserveWithinLimits(
  redis: Redis,
  queues: BuildQueues,
  limits: { perUser: number; perChannel: number },
  who: { userId: string; channelId: string },
): Promise<Reserved> {
  if (limits.perUser > 0) await countOpen(redis, queues, setKey('user', who.userId));
  if (limits.perChannel > 0) await countOpen(redis, queues, setKey('channel', who.channelId));
  const token = randomUUID();
  const member = `${RESERVED}${token}`;
  const [code, n] = (await redis.eval(
    RESERVE_WITHIN_LIMITS,
    3,
    setKey('user', who.userId),
    setKey('channel', who.channelId),
    reservationKey(token),
    limits.perUser,
    limits.perChannel,
    member,
    RESERVATION_TTL_MS,
    SET_TTL_SECONDS,
    reservationKey(''),
  )) as [number, number];
  if (code === 1) {
    return {
      allowed: false,
      reason: `You already have ${n} builds queued or running (the limit is ${limits.perUser}); wait for one to finish or cancel one.`,
    };
  }
  if (code === 2) {
    return {
      allowed: false,
      reason: `This channel already has ${n} builds queued or running (the limit is ${limits.perChannel}); try again later.`,
    };
  }
  return { allowed: true, reservation: { who, member, written: Promise.resolve() } };
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
