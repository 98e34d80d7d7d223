import type { Redis } from 'ioredis';
import type { Approval } from '../../config/access-schema.ts';
import type { BuildRequestInput } from '../../domain/build-request.ts';
import { QUEUE_PREFIX } from '../../queue/names.ts';

/**
 * Builds waiting for approval live here, not in the build queue: they hold no worker slot until approved. Each is
 * one JSON value, changed only by compare-and-set, so two approvers clicking at once are both counted and a denial
 * and an approval cannot both win. The bot and the operator command line share it.
 */
export type PendingState = 'pending' | 'approved' | 'denied' | 'expired' | 'queued';

export interface PendingBuild {
  buildId: string;
  input: BuildRequestInput;
  requester: string;
  channelId: string;
  approval: Approval;
  approvedBy: string[];
  deniedBy?: string;
  state: PendingState;
  expiresAt: number;
  /** The awaiting-approval message. */
  message?: { channel: string; ts: string };
}

const key = (buildId: string) => `${QUEUE_PREFIX}:slack:approval:${buildId}`;
/** Pending builds by expiry time: what the sweep expires. */
const EXPIRIES = `${QUEUE_PREFIX}:slack:approval-expiries`;
/** Builds decided away from Slack (the command line), for the bot to queue or to show. */
const DECIDED = `${QUEUE_PREFIX}:slack:approval-decided`;
const KEEP_SECONDS = 30 * 24 * 3600;
const SET_IF_UNCHANGED =
  "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 else return 0 end";

export class PendingBuilds {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async create(pending: PendingBuild): Promise<void> {
    await this.#redis
      .multi()
      .set(key(pending.buildId), JSON.stringify(pending), 'EX', KEEP_SECONDS)
      .zadd(EXPIRIES, pending.expiresAt, pending.buildId)
      .exec();
  }

  async get(buildId: string): Promise<PendingBuild | undefined> {
    const raw = await this.#redis.get(key(buildId));
    return raw ? (JSON.parse(raw) as PendingBuild) : undefined;
  }

  /**
   * Applies `change` atomically (compare-and-set, retried on a concurrent write). `change` returns undefined to
   * leave the record as it is. Resolves to the new record, or undefined when nothing changed.
   */
  async update(
    buildId: string,
    change: (p: PendingBuild) => PendingBuild | undefined,
  ): Promise<PendingBuild | undefined> {
    for (;;) {
      const raw = await this.#redis.get(key(buildId));
      if (!raw) return undefined;
      const next = change(JSON.parse(raw) as PendingBuild);
      if (!next) return undefined;
      const stored = await this.#redis.eval(
        SET_IF_UNCHANGED,
        1,
        key(buildId),
        raw,
        JSON.stringify(next),
        KEEP_SECONDS,
      );
      if (stored !== 1) continue;
      if (next.state !== 'pending') await this.#redis.zrem(EXPIRIES, buildId);
      return next;
    }
  }

  /** Pending builds whose time ran out. */
  async due(now = Date.now()): Promise<string[]> {
    return this.#redis.zrangebyscore(EXPIRIES, 0, now, 'LIMIT', 0, 50);
  }

  async markDecided(buildId: string): Promise<void> {
    await this.#redis.sadd(DECIDED, buildId);
  }

  async takeDecided(): Promise<string[]> {
    return (await this.#redis.spop(DECIDED, 50)) ?? [];
  }
}
