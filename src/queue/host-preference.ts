import type { Redis } from 'ioredis';
import type { Arch } from '../domain/build-request.ts';
import { QUEUE_PREFIX } from './names.ts';
import { listLiveWorkers, type WorkerInfo } from './worker-registry.ts';

/**
 * Warmth-aware routing. A build stays in its shared queue (every reader of builds knows only those); the producer
 * names, beside it, the live host that holds the build's source image and has a free slot, until a deadline. A host
 * that activates the build before then while the named one is live, not draining or paused and not full hands it back for a
 * moment (workers/prefer-host.ts); after the deadline, or when the named host is gone, any host runs it. The extra
 * wait is at most the window, so no build starves behind a busy or dead host.
 *
 * The preference is a key of its own (with the window as its lifetime) rather than a field of the job: the job data
 * is the validated build request, which retries copy and identical-build keys read, and a preference is neither.
 */
export interface HostPreference {
  host: string;
  /** Epoch ms: from then on any host runs the build. */
  until: number;
}

export interface RoutingSettings {
  preferWarmHosts: boolean;
  preferSeconds: number;
}

export const preferenceKey = (buildId: string) => `${QUEUE_PREFIX}:prefer:${buildId}`;

/**
 * How a host's image list names `ref`: `repo:tag` as written, or `repo@sha256:…` for a digest-pinned reference (held
 * only when that very digest is).
 */
function heldForm(ref: string): string {
  const at = ref.indexOf('@');
  if (at < 0) return ref;
  const named = ref.slice(0, at);
  const lastSlash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  return `${colon > lastSlash ? named.slice(0, colon) : named}${ref.slice(at)}`;
}

/** True when the heartbeat says the host has `ref` in its storage (warm or pulled by an earlier build). */
export function holdsImage(worker: Pick<WorkerInfo, 'warmImages' | 'localImages'>, ref: string): boolean {
  const form = heldForm(ref);
  return worker.localImages.includes(form) || worker.warmImages.some((w) => w.ref === ref);
}

const freeSlots = (w: WorkerInfo) => w.concurrency - w.running.length;

/**
 * The host to prefer for a build of `source` on `arch` needing `requires`, or undefined when a preference would not
 * help: no live host holds the image, every host of the queue holds it, or those that hold it have no free slot
 * (then whichever host is free first is better than waiting). Most free slots first, then by name.
 */
export function chooseHost(
  workers: WorkerInfo[],
  build: { arch: Arch; requires: readonly string[]; source: string },
): string | undefined {
  const serving = workers.filter(
    (w) =>
      w.arch === build.arch &&
      !w.draining &&
      !w.paused &&
      build.requires.every((c) => w.capabilities.includes(c)),
  );
  const holders = serving.filter((w) => holdsImage(w, build.source));
  if (holders.length === 0 || holders.length === serving.length) return undefined;
  const free = holders.filter((w) => freeSlots(w) > 0);
  free.sort((a, b) => freeSlots(b) - freeSlots(a) || a.name.localeCompare(b.name));
  return free[0]?.name;
}

/**
 * Reads the heartbeats, chooses and records the preference of a build about to be queued. Never throws: a build is
 * queued without a preference rather than not at all.
 */
export async function preferHostFor(
  redis: Redis,
  buildId: string,
  build: { arch: Arch; requires: readonly string[]; source: string },
  routing: RoutingSettings,
  now: number = Date.now(),
): Promise<HostPreference | undefined> {
  if (!routing.preferWarmHosts) return undefined;
  try {
    const host = chooseHost(await listLiveWorkers(redis, now), build);
    if (!host) return undefined;
    const preference = { host, until: now + routing.preferSeconds * 1000 };
    await redis.set(preferenceKey(buildId), JSON.stringify(preference), 'PX', routing.preferSeconds * 1000);
    return preference;
  } catch {
    return undefined;
  }
}

/** The preference of a build, while it holds (the key's lifetime is the window). */
export async function readPreference(
  redis: Redis,
  buildId: string,
  now: number = Date.now(),
): Promise<HostPreference | undefined> {
  const raw = await redis.get(preferenceKey(buildId));
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<HostPreference>;
    if (typeof parsed.host !== 'string' || typeof parsed.until !== 'number' || parsed.until <= now) {
      return undefined;
    }
    return { host: parsed.host, until: parsed.until };
  } catch {
    return undefined;
  }
}
