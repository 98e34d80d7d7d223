import { setTimeout } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { QUEUE_PREFIX } from '../queue/names.ts';

/**
 * What the Slack side remembers about a build, in Redis next to the queue: where its status message is, what was
 * last shown, which thread notes were already posted. Stored apart from the job so that no bot process keeps state
 * of its own: a restarted or second bot carries on exactly where another left off.
 */
export interface BuildRecord {
  channel: string;
  ts: string;
  requester: string;
  /** Epoch ms of the last chat.update (or the post), for the once-per-5-seconds rule. */
  lastUpdateAt: number;
  /** Hash of the last rendered message; an update that would change nothing is skipped. */
  lastRender: string;
  /** Thread notes already posted, by key (e.g. "started:host:1"), so each is posted exactly once. */
  notes: string[];
  cancelledBy?: string;
  /**
   * Fresh links made after the first ones expired: `url` is the first image's, `urls` every signed artifact's by its
   * storage key (images and checking files), all valid until `expiresAt`.
   */
  link?: { url: string; expiresAt: string; urls?: Record<string, string> };
  /** A link to the build log, signed once so that re-rendering the message does not change it. */
  logUrl?: string;
  /** Set when the build was retried as another build. */
  retriedAs?: string;
  /**
   * Set once a final state (ready, failed, cancelled, removed) has been shown: a late write of progress (a
   * worker that lost its build and has not noticed yet) must never turn a final message back into "building".
   */
  final?: boolean;
}

const TTL_SECONDS = 30 * 24 * 3600;
const key = (buildId: string) => `${QUEUE_PREFIX}:slack:build:${buildId}`;
const auditListKey = (buildId: string) => `${QUEUE_PREFIX}:slack:audit:${buildId}`;
const lockKey = (buildId: string) => `${QUEUE_PREFIX}:slack:lock:${buildId}`;
const LOCK_POLL_MS = 100;
const RENEW_IF_OURS =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const SET_IF_UNCHANGED =
  "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 else return 0 end";
const DELETE_IF_OURS =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export class BuildRecords {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async create(buildId: string, record: Pick<BuildRecord, 'channel' | 'ts' | 'requester'>, now = Date.now()) {
    const full: BuildRecord = { ...record, lastUpdateAt: now, lastRender: '', notes: [] };
    await this.#redis.set(key(buildId), JSON.stringify(full), 'EX', TTL_SECONDS);
  }

  async get(buildId: string): Promise<BuildRecord | undefined> {
    const raw = await this.#redis.get(key(buildId));
    return raw ? (JSON.parse(raw) as BuildRecord) : undefined;
  }

  /**
   * Read-modify-write without losing a concurrent write: the new value is stored only if the record is still what
   * `change` was given (compare-and-set in one script), else `change` runs again on the newer record. Handlers
   * (Cancel, Retry, Fresh link) write outside the build's lock while a sync may be writing too.
   */
  async update(buildId: string, change: (r: BuildRecord) => BuildRecord): Promise<BuildRecord | undefined> {
    for (;;) {
      const raw = await this.#redis.get(key(buildId));
      if (!raw) return undefined;
      const next = change(JSON.parse(raw) as BuildRecord);
      const stored = await this.#redis.eval(
        SET_IF_UNCHANGED,
        1,
        key(buildId),
        raw,
        JSON.stringify(next),
        TTL_SECONDS,
      );
      if (stored === 1) return next;
    }
  }

  async appendAudit(buildId: string, line: string): Promise<void> {
    await this.#redis
      .multi()
      .rpush(auditListKey(buildId), line)
      .expire(auditListKey(buildId), TTL_SECONDS)
      .exec();
  }

  async auditLines(buildId: string): Promise<string[]> {
    return this.#redis.lrange(auditListKey(buildId), 0, -1);
  }

  /**
   * Runs `fn` while holding the build's lock, so two bot processes never edit one status message at once.
   * Returns undefined (without running fn) when another process holds it, unless `waitMs` allows waiting for it.
   * The lock is renewed while `fn` runs (a Slack call retried after a 429 can outlast any fixed lifetime), so it
   * lapses only `ttlMs` after its holder died.
   */
  async withLock<T>(
    buildId: string,
    fn: () => Promise<T>,
    { ttlMs = 10_000, waitMs = 0 }: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<T | undefined> {
    const token = `${process.pid}-${Math.random()}`;
    const giveUpAt = Date.now() + waitMs;
    while ((await this.#redis.set(lockKey(buildId), token, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (Date.now() >= giveUpAt) return undefined;
      await setTimeout(LOCK_POLL_MS);
    }
    const renew = setInterval(() => {
      this.#redis.eval(RENEW_IF_OURS, 1, lockKey(buildId), token, ttlMs).catch(() => undefined);
    }, ttlMs / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      // Release only our own lock (it may have expired and been taken by another process).
      await this.#redis.eval(DELETE_IF_OURS, 1, lockKey(buildId), token);
    }
  }
}
