// The pull step of a preset build on a warm worker against a cold pull of the same images into empty storage.
// The source image is incompressible random data (a compressed layer the size of the image, as a vendor image's
// layers are already compressed), pushed to the testbed registry with auth; the builder is the small demo image.
// Each round: a fresh podman storage pulls cold (the pull step itself, as a build runs it), then the image warmer
// fills another storage and the same pull step runs there. Rounds alternate, so load drifts hit both sides.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { pino } from 'pino';
import { hostArch } from '../../src/domain/host-arch.ts';
import {
  buildSourceImage,
  createPodmanEnv,
  type PodmanEnv,
  podman,
  pushImage,
  startRegistry,
} from '../../test/testbed/index.ts';
import type { AttemptPaths } from '../../workers/pipeline/build-context.ts';
import { type PullContext, pull } from '../../workers/pipeline/steps/pull.ts';
import { createPodman } from '../../workers/podman.ts';
import { createImageWarmer } from '../../workers/warm-images.ts';
import { MIB, median } from '../lib/stats.ts';

export const AUTH = { username: 'bench', password: 'bench-warm-secret' };
const logger = pino({ level: 'warn' }, pino.destination(2));

export interface WarmRound {
  coldMs: number;
  warmMs: number;
  /** How much the warm pull step grew podman's storage (0: nothing downloaded). */
  warmStorageGrowthBytes: number;
  coldStorageGrowthBytes: number;
}

export interface WarmResult {
  imageBytes: number;
  rounds: WarmRound[];
  /** Median of per-round warm ÷ cold. */
  medianRatio: number;
  ratios: number[];
}

export async function duBytes(path: string): Promise<number> {
  const { stdout } = await execa('du', ['-sb', path], { reject: false });
  return Number(stdout.split('\t')[0] ?? 0) || 0;
}

export async function randomImage(penv: PodmanEnv, dir: string, ref: string, bytes: number): Promise<void> {
  const rootfs = join(dir, 'rootfs');
  await mkdir(rootfs, { recursive: true });
  const chunks = Math.ceil(bytes / MIB);
  let left = chunks;
  await pipeline(
    (async function* () {
      while (left-- > 0) yield randomBytes(MIB);
    })(),
    createWriteStream(join(rootfs, 'blob')),
  );
  const tarball = join(dir, 'rootfs.tar');
  await execa('tar', ['-C', rootfs, '-cf', tarball, '.']);
  await podman(penv, ['import', '--quiet', tarball, ref]);
  await rm(dir, { recursive: true, force: true });
}

/** Runs the pull step, as a build does, into `penv`'s storage; returns its wall time. */
export async function pullStep(
  penv: PodmanEnv,
  dir: string,
  source: string,
  builder: string,
  registryHost: string,
) {
  const real = createPodman('podman', logger, { env: { PATH: process.env.PATH ?? '', ...penv.env } });
  const root = await mkdtemp(join(dir, 'attempt-'));
  const authFile = join(root, 'auth.json');
  await real.login({ registry: registryHost, ...AUTH, authFile, insecure: true, timeoutMs: 60_000 });
  const ctx: PullContext = {
    podman: real,
    signal: new AbortController().signal,
    logger,
    request: {
      source,
      builder: { name: 'bench', image: builder },
      installerPayloadRef: undefined,
      arch: hostArch(),
    },
    settings: {
      workerName: 'bench',
      registries: { [registryHost]: { ...AUTH, insecure: true } },
      // The free-disk rule is the build's, not what is measured here: a minimum of 0 always passes.
      worker: { timeouts: { pullSeconds: 1800 }, workDir: root, containerStorage: root, minFreeDiskGiB: 0 },
    },
    state: { paths: { root, authFile } as AttemptPaths, timings: {} },
  };
  const before = await duBytes(penv.graphRoot);
  const t0 = performance.now();
  await pull.run(ctx, { defer: () => {} });
  const ms = performance.now() - t0;
  await rm(root, { recursive: true, force: true });
  return { ms, growth: (await duBytes(penv.graphRoot)) - before };
}

export async function runWarmBench(o: {
  dir: string;
  imageBytes: number;
  rounds: number;
  log: (line: string) => void;
}): Promise<WarmResult> {
  const registry = await startRegistry(AUTH);
  const seed = await createPodmanEnv();
  const envs: PodmanEnv[] = [];
  try {
    const source = `${registry.host}/bench/warm-random:1`;
    const builder = `${registry.host}/bench/warm-builder:1`;
    o.log(`warm: generating a ${Math.round(o.imageBytes / MIB)} MiB random image and pushing it`);
    await randomImage(seed, join(o.dir, 'gen'), 'localhost/warm-random:1', o.imageBytes);
    await pushImage(seed, 'localhost/warm-random:1', source, AUTH);
    await buildSourceImage(seed, 'localhost/warm-builder:1');
    await pushImage(seed, 'localhost/warm-builder:1', builder, AUTH);
    await seed.cleanup();

    const rounds: WarmRound[] = [];
    for (let i = 0; i < o.rounds; i++) {
      const cold = await createPodmanEnv();
      envs.push(cold);
      const coldRun = await pullStep(cold, o.dir, source, builder, registry.host);
      await cold.cleanup();

      const warm = await createPodmanEnv();
      envs.push(warm);
      const warmer = createImageWarmer({
        config: {
          builders: { bench: { image: builder } },
          presets: { bench: { image: source, builder: 'bench', description: '' } },
          registries: { [registry.host]: { ...AUTH, insecure: true } },
          worker: {
            workDir: o.dir,
            containerStorage: warm.dir,
            minFreeDiskGiB: 0,
            warm: { intervalMinutes: 30 },
            timeouts: { loginSeconds: 60, pullSeconds: 1800 },
          },
        },
        podman: createPodman('podman', logger, { env: { PATH: process.env.PATH ?? '', ...warm.env } }),
        logger,
        arch: hostArch(),
        capabilities: [],
      });
      await warmer.pass();
      if (warmer.warm().length !== 2) throw new Error('the warm-up did not pull both images');
      const warmRun = await pullStep(warm, o.dir, source, builder, registry.host);
      await warm.cleanup();
      rounds.push({
        coldMs: Math.round(coldRun.ms),
        warmMs: Math.round(warmRun.ms),
        coldStorageGrowthBytes: coldRun.growth,
        warmStorageGrowthBytes: warmRun.growth,
      });
      o.log(`warm: round ${i + 1}: cold ${Math.round(coldRun.ms)} ms, warm ${Math.round(warmRun.ms)} ms`);
    }
    const ratios = rounds.map((r) => r.warmMs / r.coldMs);
    return { imageBytes: o.imageBytes, rounds, ratios, medianRatio: median(ratios) };
  } finally {
    for (const e of envs) await e.cleanup().catch(() => {});
    await seed.cleanup().catch(() => {});
    await registry.stop();
  }
}
