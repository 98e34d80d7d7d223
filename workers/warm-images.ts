import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../src/config/load-config.ts';
import { type Capability, requiredCapabilities } from '../src/domain/capabilities.ts';
import { registryOf } from '../src/domain/image-ref.ts';
import type { Logger } from '../src/logger.ts';
import { checkedPull } from './checked-pull.ts';
import { passwordFor, registrySettings } from './pipeline/steps/login.ts';
import { freeBytes } from './pipeline/steps/preflight.ts';
import type { Podman } from './podman.ts';
import { writeSignaturePolicy } from './signature-policy.ts';

const GIB = 1024 ** 3;
const MINUTE_MS = 60_000;

/** An image this host keeps pulled, and the digest it had at the last pass. */
export interface WarmImage {
  ref: string;
  digest: string;
}

export type WarmConfig = Pick<Config, 'presets' | 'builders' | 'registries'> & {
  access?: { signatures?: Config['access']['signatures'] | undefined } | undefined;
  worker: Pick<
    Config['worker'],
    'workDir' | 'containerStorage' | 'minFreeDiskGiB' | 'warm' | 'maxImageGiB'
  > & {
    timeouts: Pick<Config['worker']['timeouts'], 'loginSeconds' | 'pullSeconds'>;
  };
};

export interface WarmOptions {
  config: WarmConfig;
  podman: Pick<Podman, 'login' | 'pull' | 'imageDigest' | 'imageSize'>;
  logger: Logger;
  /** This host's architecture: the size of a multi-arch image is that of its entry. */
  arch: string;
  /** What this host offers: presets whose ISOs need more are left to the hosts that build them. */
  capabilities: readonly string[];
  readFree?: (path: string) => Promise<number>;
}

/**
 * The source and builder images of every preset this host can build, deduplicated, builders first (every build of
 * a builder needs it, whatever its source).
 */
export function warmTargets(config: Pick<Config, 'presets' | 'builders'>, capabilities: readonly string[]) {
  const builders = new Set<string>();
  const sources = new Set<string>();
  for (const [name, preset] of Object.entries(config.presets)) {
    const builder = config.builders[preset.builder];
    if (!builder) continue;
    const needs: Capability[] = requiredCapabilities(
      {
        type: 'iso',
        source: preset.image,
        preset: name,
        builder: { name: preset.builder, image: builder.image },
      },
      config,
    );
    if (!needs.every((c) => capabilities.includes(c))) continue;
    builders.add(builder.image);
    sources.add(preset.image);
  }
  return [...builders, ...[...sources].filter((s) => !builders.has(s))];
}

export interface ImageWarmer {
  /** One pass now: pulls what is missing or moved; resolves when it ended (never rejects). */
  pass(): Promise<void>;
  /** What the last passes left pulled, for the heartbeat. */
  warm(): WarmImage[];
  start(): void;
  stop(): void;
}

/**
 * Keeps the presets' images pulled, so that a preset build's pull is a digest check against the registry rather
 * than a download of gigabytes while a person waits. A pass pulls one image at a time (it competes with builds for
 * the network and disk, and is in no hurry), logs in with the build credentials into a private auth file removed
 * after the pass, and pulls through the same size limit and signature policy as a build (an image a build would
 * refuse is not put on the disk ahead of it). A pass is skipped when the disk is already below the build minimum: a warm image must never be what
 * makes a build fail for lack of space.
 */
export function createImageWarmer(options: WarmOptions): ImageWarmer {
  const { config, podman, logger } = options;
  const readFree = options.readFree ?? freeBytes;
  const intervalMs = config.worker.warm.intervalMinutes * MINUTE_MS;
  const stopper = new AbortController();
  const warm = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const diskShort = async (): Promise<string | undefined> => {
    const { workDir, containerStorage, minFreeDiskGiB } = config.worker;
    for (const path of new Set([workDir, containerStorage])) {
      const free = await readFree(path).catch(() => undefined);
      if (free === undefined) return `free space on ${path} unreadable`;
      if (free / GIB < minFreeDiskGiB) return `${(free / GIB).toFixed(1)} GiB free on ${path}`;
    }
    return undefined;
  };

  const onePass = async () => {
    const targets = warmTargets(config, options.capabilities);
    if (targets.length === 0) return;
    const short = await diskShort();
    if (short) {
      logger.warn({ reason: short }, 'image warm-up skipped: disk short of the build minimum, or unreadable');
      return;
    }
    const dir = await mkdtemp(join(config.worker.workDir, 'warm-'));
    const authFile = join(dir, 'auth.json');
    const signal = stopper.signal;
    try {
      const signatures = await writeSignaturePolicy(join(dir, 'signatures'), config.access?.signatures ?? {});
      const loggedIn = new Set<string>();
      for (const ref of targets) {
        if (signal.aborted) return;
        const registry = registryOf(ref);
        const settings = registrySettings(config.registries, registry);
        const insecure = settings?.insecure ?? false;
        try {
          if (settings?.username && !loggedIn.has(registry)) {
            await podman.login({
              registry,
              username: settings.username,
              password: await passwordFor(registry, settings),
              authFile,
              insecure,
              timeoutMs: config.worker.timeouts.loginSeconds * 1000,
              signal,
            });
            loggedIn.add(registry);
          }
          const started = performance.now();
          await checkedPull({
            podman,
            ref,
            registry,
            authFile,
            insecure,
            arch: options.arch,
            timeoutMs: config.worker.timeouts.pullSeconds * 1000,
            signal,
            maxImageGiB: config.worker.maxImageGiB,
            signatures,
            logger,
          });
          const digest = await podman.imageDigest(ref);
          if (warm.get(ref) !== digest) {
            logger.info({ ref, digest, ms: Math.round(performance.now() - started) }, 'image warm');
          }
          warm.set(ref, digest);
        } catch (error) {
          // One unreachable registry must not keep the other images cold; the next pass tries again.
          logger.warn(
            { ref, error: error instanceof Error ? error.message : String(error) },
            'image not warmed',
          );
        }
      }
      // An image no longer among the targets (a preset removed from the config) is not advertised as warm.
      for (const ref of warm.keys()) if (!targets.includes(ref)) warm.delete(ref);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  const pass = () => {
    running ??= onePass()
      .catch((error: unknown) => logger.warn({ error: String(error) }, 'image warm-up failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = () => {
    if (intervalMs <= 0 || stopper.signal.aborted) return;
    timer = setTimeout(() => void pass().then(schedule), intervalMs);
    timer.unref();
  };

  return {
    pass,
    warm: () => [...warm].map(([ref, digest]) => ({ ref, digest })),
    start() {
      if (intervalMs <= 0) return;
      // A pass cut short by a crash leaves its auth file behind: one worker per workDir, so any is stale.
      void removeStaleAuthDirs(config.worker.workDir).then(pass).then(schedule);
    },
    stop() {
      stopper.abort('worker stopping');
      clearTimeout(timer);
    },
  };
}

async function removeStaleAuthDirs(workDir: string): Promise<void> {
  for (const name of await readdir(workDir).catch(() => [])) {
    if (name.startsWith('warm-'))
      await rm(join(workDir, name), { recursive: true, force: true }).catch(() => {});
  }
}
