import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ARCHES, Arch } from '../domain/build-request.ts';
import { QUEUE_PREFIX } from './names.ts';

/**
 * Which build hosts are alive. Each worker keeps `{bootc-iso}:workers:<name>` (JSON, with a TTL) fresh
 * while it runs and deletes it on a clean stop, so a crashed host drops out when its key expires. A sorted set
 * `{bootc-iso}:workers` (name → expiry time) indexes the keys, so readers never SCAN the keyspace, which BullMQ fills
 * with thousands of job keys; the key itself stays the truth (an index entry without its key is ignored).
 */
export const WORKERS_INDEX_KEY = `${QUEUE_PREFIX}:workers`;

export function workerKey(name: string): string {
  return `${WORKERS_INDEX_KEY}:${name}`;
}

/** What a heartbeat says about its worker. Unknown fields are kept out, so newer workers can add some. */
export const WorkerInfo = z.object({
  /** WORKER_NAME: the name in container labels, logs and build results. */
  name: z.string(),
  /** The machine's host name. */
  host: z.string(),
  arch: Arch,
  concurrency: z.number(),
  /** Build ids this worker is running now. */
  running: z.array(z.string()),
  /** Free GiB on the filesystems of worker.workDir and worker.containerStorage (null when unreadable). */
  disk: z.object({ workDirFreeGiB: z.number().nullable(), containerStorageFreeGiB: z.number().nullable() }),
  podmanVersion: z.string().nullable(),
  /** Images of the configured builders' repositories present in this host's podman storage. */
  builderImages: z.array(z.string()),
  startedAt: z.string(),
  updatedAt: z.string(),
  /** bootc-iso-bot version the worker runs. */
  version: z.string(),
  pid: z.number().optional(),
  /**
   * What the host offers beyond building (e.g. rhel-entitlement), detected or declared; the queues it consumes
   * follow from it. Strings, not the enum: a newer worker may offer something this reader does not know.
   */
  capabilities: z.array(z.string()).default([]),
  /** Stopping: takes no new builds, beats on until its running builds are finished or handed back. */
  draining: z.boolean().optional(),
  /** Not taking builds for a while: the host found itself unfit to build (low disk, podman broken). */
  paused: z.boolean().optional(),
  /** Preset images the host keeps pulled (reference and the digest it holds), so their pulls are digest checks. */
  warmImages: z.array(z.object({ ref: z.string(), digest: z.string() })).default([]),
  /**
   * Every image in the host's podman storage (names and digest references, from the list the heartbeat reads
   * anyway), so a build of an image pulled by an earlier build, not only a warm one, can be sent where it is.
   */
  localImages: z.array(z.string()).default([]),
});
export type WorkerInfo = z.infer<typeof WorkerInfo>;

/** Workers whose heartbeat has not expired, sorted by arch (in ARCHES order) and name. */
export async function listLiveWorkers(redis: Redis, now: number = Date.now()): Promise<WorkerInfo[]> {
  const names = await redis.zrangebyscore(WORKERS_INDEX_KEY, `(${now}`, '+inf');
  if (names.length === 0) return [];
  const values = await redis.mget(names.map(workerKey));
  const workers: WorkerInfo[] = [];
  for (const raw of values) {
    if (raw === null) continue;
    const parsed = WorkerInfo.safeParse(safeJson(raw));
    if (parsed.success) workers.push(parsed.data);
  }
  return workers.sort(
    (a, b) => ARCHES.indexOf(a.arch) - ARCHES.indexOf(b.arch) || a.name.localeCompare(b.name),
  );
}

/** The heartbeat of one worker, or undefined when it has none (stopped, dead or unreadable). */
export async function readWorkerInfo(redis: Redis, name: string): Promise<WorkerInfo | undefined> {
  const raw = await redis.get(workerKey(name));
  if (raw === null) return undefined;
  const parsed = WorkerInfo.safeParse(safeJson(raw));
  return parsed.success ? parsed.data : undefined;
}

/** Architectures with at least one live worker offering every one of `requires`, in ARCHES order. */
export function archesServing(workers: WorkerInfo[], requires: readonly string[] = []): Arch[] {
  const arches = new Set(
    workers.filter((w) => requires.every((c) => w.capabilities.includes(c))).map((w) => w.arch),
  );
  return ARCHES.filter((a) => arches.has(a));
}

/** Architectures with at least one live worker (offering `requires`), in ARCHES order. */
export async function liveArches(
  redis: Redis,
  now: number = Date.now(),
  requires: readonly string[] = [],
): Promise<Arch[]> {
  return archesServing(await listLiveWorkers(redis, now), requires);
}

/**
 * liveArches within `timeoutMs`, or undefined when Redis is slow or down: for callers with a deadline (the Slack
 * modal must open within 3 s of the command) that fall back to offering every arch.
 */
export async function liveArchesWithin(
  redis: Redis,
  timeoutMs: number,
  requires: readonly string[] = [],
): Promise<Arch[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([liveArches(redis, Date.now(), requires).catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Writes one heartbeat: the key with its TTL, and its index entry; drops index entries that expired. */
export async function writeWorkerInfo(
  redis: Redis,
  info: z.input<typeof WorkerInfo>,
  ttlMs: number,
  now = Date.now(),
) {
  await redis
    .multi()
    .set(workerKey(info.name), JSON.stringify(info), 'PX', ttlMs)
    .zadd(WORKERS_INDEX_KEY, now + ttlMs, info.name)
    .zremrangebyscore(WORKERS_INDEX_KEY, '-inf', now)
    .exec();
}

/** A clean stop: the worker disappears from every list at once instead of when its TTL runs out. */
export async function removeWorkerInfo(redis: Redis, name: string): Promise<void> {
  await redis.multi().del(workerKey(name)).zrem(WORKERS_INDEX_KEY, name).exec();
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
