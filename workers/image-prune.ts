import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../src/config/load-config.ts';
import type { Logger } from '../src/logger.ts';
import type { LocalImage, Podman, PodmanImages } from './podman.ts';

/**
 * The old-image policy (`worker.imagePrune.keepDays`). Every build pulls its source image into the
 * host's storage, so without a policy the disk fills with images nobody builds from any more.
 *
 * podman records no "last used" time: an image's Created is when it was built upstream, so
 * `podman image prune --filter until=…` would delete an image pulled an hour ago because it was built a month ago,
 * and `--all` would take the configured builders too. So the worker keeps its own record, `<workDir>/image-use.json`:
 * each pull marks the reference used; an image the record has never seen is entered as first seen at that pass
 * (so images from before the policy get keepDays of grace). A pass removes every image that is not a configured
 * builder, is not used by any container and whose last use is older than keepDays, with `podman rmi` (no --force).
 */
export const IMAGE_USE_FILE = 'image-use.json';
export const PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Used when the config says nothing: two weeks covers a sprint's rebuilds of the same image. */
export const DEFAULT_KEEP_DAYS = 14;

export interface ImageUseLog {
  get(key: string): number | undefined;
  set(key: string, ms: number): void;
  delete(key: string): void;
  keys(): string[];
  /** Writes the record (atomically: a temp file renamed over the old one); saves never overlap. */
  save(): Promise<void>;
}

export async function loadImageUseLog(file: string): Promise<ImageUseLog> {
  const entries = new Map<string, number>();
  try {
    const data: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (data && typeof data === 'object') {
      for (const [key, value] of Object.entries(data)) if (typeof value === 'number') entries.set(key, value);
    }
  } catch {
    // Missing or damaged: start afresh; unseen images get a full keepDays of grace, so nothing goes too early.
  }
  let saving: Promise<void> = Promise.resolve();
  return {
    get: (key) => entries.get(key),
    set: (key, ms) => void entries.set(key, Math.max(ms, entries.get(key) ?? 0)),
    delete: (key) => void entries.delete(key),
    keys: () => [...entries.keys()],
    save() {
      saving = saving.then(async () => {
        const temp = `${file}.tmp`;
        await writeFile(temp, `${JSON.stringify(Object.fromEntries(entries))}\n`, { mode: 0o600 });
        await rename(temp, file);
      });
      return saving;
    },
  };
}

/** A podman whose pulls mark the image used (before the pull too, so a pass running meanwhile spares it). */
export function withImageUse<P extends Podman>(podman: P, uses: ImageUseLog, logger: Logger): P {
  const mark = (ref: string) => {
    uses.set(ref, Date.now());
    uses.save().catch((error: unknown) => logger.warn({ error: String(error) }, 'image use not recorded'));
  };
  return {
    ...podman,
    async pull(o) {
      mark(o.ref);
      await podman.pull(o);
      mark(o.ref);
    },
  };
}

const idKey = (image: LocalImage) => `id:${image.id}`;

export interface PrunePlan {
  /** Images to remove, each with what to pass to `podman rmi` (its tags, or its id when it has none). */
  remove: { image: LocalImage; targets: string[] }[];
  /** Images the record has not seen before: enter them as first seen now. */
  unseen: LocalImage[];
}

/** Decides what a pass removes; pure, so the policy is unit-tested without podman. */
export function planImagePrune(
  images: LocalImage[],
  o: { builderRefs: string[]; keepDays: number; now: number; lastUse: (key: string) => number | undefined },
): PrunePlan {
  const builders = new Set(o.builderRefs);
  const cutoff = o.now - o.keepDays * DAY_MS;
  const plan: PrunePlan = { remove: [], unseen: [] };
  for (const image of images) {
    const refs = [...image.names, ...image.digests];
    if (refs.some((ref) => builders.has(ref)) || image.containers > 0) continue;
    const times = [...refs, idKey(image)].map(o.lastUse).filter((t): t is number => t !== undefined);
    if (times.length === 0) {
      plan.unseen.push(image);
      continue;
    }
    if (Math.max(...times) >= cutoff) continue;
    // Untagging the last tag deletes the image; removing by id would need --force for a multi-tag image.
    plan.remove.push({ image, targets: image.names.length > 0 ? image.names : [image.id] });
  }
  return plan;
}

export interface PruneDeps {
  podman: PodmanImages;
  builderRefs: string[];
  keepDays: number;
  uses: ImageUseLog;
  logger: Logger;
  now?: () => number;
}

/** One pass of the policy; returns the references it removed. */
export async function pruneOldImages(deps: PruneDeps): Promise<string[]> {
  const now = (deps.now ?? Date.now)();
  const images = await deps.podman.listImages();
  const plan = planImagePrune(images, { ...deps, now, lastUse: (key) => deps.uses.get(key) });
  for (const image of plan.unseen) deps.uses.set(idKey(image), now);
  const removed: string[] = [];
  for (const { image, targets } of plan.remove) {
    let gone = true;
    for (const target of targets) {
      if (await deps.podman.removeImage(target)) removed.push(target);
      else gone = false;
    }
    if (gone) for (const ref of [...image.names, ...image.digests, idKey(image)]) deps.uses.delete(ref);
  }
  // Forget what is no longer on the host, so the record stays as small as the image list.
  const present = new Set(images.flatMap((i) => [...i.names, ...i.digests, idKey(i)]));
  for (const key of deps.uses.keys())
    if (!present.has(key) && (deps.uses.get(key) ?? 0) < now - DAY_MS) deps.uses.delete(key);
  await deps.uses.save();
  if (removed.length) deps.logger.info({ images: removed, keepDays: deps.keepDays }, 'removed unused images');
  return removed;
}

export interface ImagePrune<P> {
  /** The podman to build with: it records image use when the policy is on. */
  podman: P;
  /** Runs a pass now (in the background) and then every hour. */
  start(): void;
  stop(): void;
}

/**
 * Wires the policy (on unless `worker.imagePrune` is false: a build host that pulls whatever people type must not
 * fill its disk); when off, hands podman back untouched with no-op start/stop.
 */
export async function setUpImagePrune<P extends Podman & PodmanImages>(
  config: Pick<Config, 'builders'> & { worker: Pick<Config['worker'], 'workDir' | 'imagePrune'> },
  podman: P,
  logger: Logger,
): Promise<ImagePrune<P>> {
  const policy = config.worker.imagePrune ?? { keepDays: DEFAULT_KEEP_DAYS };
  if (!policy) return { podman, start: () => undefined, stop: () => undefined };
  const uses = await loadImageUseLog(join(config.worker.workDir, IMAGE_USE_FILE));
  const deps: PruneDeps = {
    podman,
    builderRefs: Object.values(config.builders).map((b) => b.image),
    keepDays: policy.keepDays,
    uses,
    logger,
  };
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const pass = () => {
    if (running) return;
    running = true;
    pruneOldImages(deps)
      .catch((error: unknown) => logger.warn({ error: String(error) }, 'image prune pass failed'))
      .finally(() => {
        running = false;
      });
  };
  return {
    podman: withImageUse(podman, uses, logger),
    start() {
      pass();
      timer = setInterval(pass, PRUNE_EVERY_MS);
      timer.unref();
    },
    stop: () => clearInterval(timer),
  };
}
