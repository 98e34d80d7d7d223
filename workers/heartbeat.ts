import { hostname } from 'node:os';
import type { Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config/load-config.ts';
import type { Arch } from '../src/domain/build-request.ts';
import type { Logger } from '../src/logger.ts';
import { packageVersion } from '../src/package-version.ts';
import { removeWorkerInfo, type WorkerInfo, writeWorkerInfo } from '../src/queue/worker-registry.ts';
import { freeBytes } from './pipeline/steps/preflight.ts';
import type { LocalImage, Podman, PodmanImages } from './podman.ts';

export const HEARTBEAT_TTL_MS = 30_000;
export const HEARTBEAT_INTERVAL_MS = 10_000;
/**
 * podman version and image lists change rarely and each costs a podman process: refresh them once a minute, and at
 * the next beat after a build ended (its pulls are what change the image list).
 */
const PODMAN_FACTS_EVERY_MS = 60_000;
/** A stop must not hang on a Redis outage (the worker connection waits outages out). */
const STOP_WAIT_MS = 2000;
const GIB = 1024 ** 3;
/** A bound on the heartbeat's size: a host with more images than this lists the most recently built ones. */
export const MAX_LOCAL_IMAGES = 500;

export interface HeartbeatOptions {
  ttlMs?: number;
  intervalMs?: number;
  now?: () => Date;
}

export interface HeartbeatSource {
  config: Pick<Config, 'workerName' | 'builders'> & {
    worker: Pick<Config['worker'], 'concurrency' | 'workDir' | 'containerStorage'>;
  };
  arch: Arch;
  podman: Pick<Podman, 'version'> & Pick<PodmanImages, 'listImages'>;
  /** Build ids running now. */
  running: () => string[];
  /** How many builds have ended so far: the image list is read again after each (its pulls change it). */
  ended?: () => number;
  /** What the host offers (detected or declared), advertised so producers and people know where builds can run. */
  capabilities?: readonly string[];
  /** True while the host takes no builds because it found itself unfit (low disk, podman broken). */
  paused?: () => boolean;
  /** Images this host keeps pulled for its presets, advertised so builds can be sent where their image is. */
  warmImages?: () => { ref: string; digest: string }[];
}

export interface Heartbeat {
  /** Writes one heartbeat now (also called on every tick). */
  beat(): Promise<void>;
  /** Marks the worker draining (stopping, no new builds) and writes that at once; it keeps beating. */
  drain(): Promise<void>;
  /** Stops beating and deletes the key (a clean stop). */
  stop(): Promise<void>;
}

/**
 * Keeps this worker's registry key alive: written at once (so the worker is listed before it logs "ready"), then
 * every `intervalMs` with a TTL of `ttlMs`. A failed beat is logged and the next one tries again.
 */
export async function startHeartbeat(
  redis: Redis,
  source: HeartbeatSource,
  logger: Logger,
  options: HeartbeatOptions = {},
): Promise<Heartbeat> {
  const ttlMs = options.ttlMs ?? HEARTBEAT_TTL_MS;
  const intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const version = appVersion();
  let facts:
    | {
        podmanVersion: string | null;
        builderImages: string[];
        localImages: string[];
        at: number;
        ended: number;
      }
    | undefined;
  let stopped = false;
  let draining = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const podmanFacts = async () => {
    const at = now().getTime();
    const ended = source.ended?.() ?? 0;
    if (facts && facts.ended === ended && at - facts.at < PODMAN_FACTS_EVERY_MS) return facts;
    const [podmanVersion, images] = await Promise.all([
      source.podman.version().catch(() => null),
      source.podman.listImages().catch(() => undefined),
    ]);
    facts = {
      podmanVersion,
      // An unreadable list keeps the last one rather than claiming the images are gone.
      builderImages: images
        ? builderImagesOf(
            images,
            Object.values(source.config.builders).map((b) => b.image),
          )
        : (facts?.builderImages ?? []),
      localImages: images ? localImagesOf(images) : (facts?.localImages ?? []),
      at,
      ended,
    };
    return facts;
  };

  const write = async () => {
    const { workDir, containerStorage, concurrency } = source.config.worker;
    const running = source.running();
    const [workDirFree, storageFree, podman] = await Promise.all([
      freeGiB(workDir),
      freeGiB(containerStorage),
      podmanFacts(),
    ]);
    const info: WorkerInfo = {
      name: source.config.workerName,
      host: hostname(),
      arch: source.arch,
      concurrency,
      running,
      disk: { workDirFreeGiB: workDirFree, containerStorageFreeGiB: storageFree },
      podmanVersion: podman.podmanVersion,
      builderImages: podman.builderImages,
      startedAt,
      updatedAt: now().toISOString(),
      version,
      pid: process.pid,
      capabilities: [...(source.capabilities ?? [])],
      ...(draining ? { draining } : {}),
      ...(source.paused?.() ? { paused: true } : {}),
      warmImages: source.warmImages?.() ?? [],
      localImages: podman.localImages,
    };
    if (stopped) return;
    await writeWorkerInfo(redis, info, ttlMs, now().getTime());
  };

  const beat = () => {
    inFlight = inFlight
      .then(write)
      .catch((error: unknown) => logger.warn({ error: String(error) }, 'heartbeat not written; retrying'));
    return inFlight;
  };

  const schedule = () => {
    timer = setTimeout(() => {
      void beat().then(() => {
        if (!stopped) schedule();
      });
    }, intervalMs);
    timer.unref();
  };

  await beat();
  schedule();
  return {
    beat,
    async drain() {
      draining = true;
      await withinMs(beat(), STOP_WAIT_MS);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await withinMs(inFlight, STOP_WAIT_MS);
      await withinMs(
        removeWorkerInfo(redis, source.config.workerName).catch((error: unknown) =>
          logger.warn({ error: String(error) }, 'heartbeat key not deleted; it expires by itself'),
        ),
        STOP_WAIT_MS,
      );
    },
  };
}

/**
 * Wraps a processor to keep the set of build ids it is running, and a count of ended builds, for the heartbeat.
 * `onChange` runs when a build starts or ends: the worker beats at once, so producers choosing a host see its free
 * slots as they are, not as they were up to a beat ago.
 */
export function trackRunningBuilds<T extends Processor>(
  processor: T,
  onChange?: () => void,
): { processor: T; running: () => string[]; ended: () => number } {
  const ids = new Set<string>();
  let ended = 0;
  const wrapped = (async (job, token, signal) => {
    const id = job.id ?? '';
    ids.add(id);
    onChange?.();
    try {
      return await processor(job, token, signal);
    } finally {
      ids.delete(id);
      ended += 1;
      onChange?.();
    }
  }) as T;
  return { processor: wrapped, running: () => [...ids], ended: () => ended };
}

/** The repository part of a reference: `reg:5000/a/b:1` → `reg:5000/a/b`, `a/b@sha256:…` → `a/b`. */
export function repositoryOf(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/** Names (or digest references, for images pulled by digest) of images in the builders' repositories. */
export function builderImagesOf(images: LocalImage[], builderRefs: string[]): string[] {
  const repositories = new Set(builderRefs.map(repositoryOf));
  const out = new Set<string>();
  for (const image of images) {
    const names = image.names.length > 0 ? image.names : image.digests;
    for (const name of names) if (repositories.has(repositoryOf(name))) out.add(name);
  }
  return [...out].sort();
}

/** Names and digest references of every local image, newest first, at most MAX_LOCAL_IMAGES. */
export function localImagesOf(images: LocalImage[]): string[] {
  const sorted = [...images].sort((a, b) => b.createdMs - a.createdMs);
  const out = new Set<string>();
  for (const image of sorted) {
    for (const ref of [...image.names, ...image.digests]) {
      if (out.size >= MAX_LOCAL_IMAGES) return [...out];
      out.add(ref);
    }
  }
  return [...out];
}

async function freeGiB(path: string): Promise<number | null> {
  try {
    return Math.round(((await freeBytes(path)) / GIB) * 10) / 10;
  } catch {
    return null;
  }
}

async function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** The version in package.json, read once. */
export function appVersion(): string {
  return packageVersion();
}
