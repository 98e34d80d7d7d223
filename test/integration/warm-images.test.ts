import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatWorkers } from '../../src/cli/format-ops.ts';
import { hostArch } from '../../src/domain/host-arch.ts';
import { listLiveWorkers } from '../../src/queue/worker-registry.ts';
import { startHeartbeat } from '../../workers/heartbeat.ts';
import { createPodman } from '../../workers/podman.ts';
import { createImageWarmer, type WarmConfig } from '../../workers/warm-images.ts';
import {
  buildSourceImage,
  createPodmanEnv,
  type PodmanEnv,
  podman,
  pushImage,
  type RedisHandle,
  type RegistryHandle,
  requireTools,
  startRedis,
  startRegistry,
} from '../testbed/index.ts';

const logger = pino({ level: 'silent' });
const AUTH = { username: 'warm-robot', password: 'warm-secret-7' };

let penv: PodmanEnv;
let registry: RegistryHandle;
let redis: RedisHandle;
let workDir: string;
let sourceRef: string;
let builderRef: string;

beforeAll(async () => {
  await requireTools(['podman', 'docker-registry', 'htpasswd', 'redis-server', 'busybox']);
  penv = await createPodmanEnv();
  registry = await startRegistry(AUTH);
  redis = await startRedis();
  workDir = await mkdtemp(join(tmpdir(), 'warm-work-'));
  sourceRef = `${registry.host}/bootc/warm-os:1`;
  builderRef = `${registry.host}/bootc/warm-builder:1`;
  await buildSourceImage(penv, 'localhost/warm-os:1');
  await pushImage(penv, 'localhost/warm-os:1', sourceRef, AUTH);
  await pushImage(penv, 'localhost/warm-os:1', builderRef, AUTH);
  // Storage starts empty of both: the warm-up is what brings them.
  await podman(penv, ['rmi', '--all', '--force']);
}, 300_000);

afterAll(async () => {
  await redis?.stop();
  await registry?.stop();
  await penv?.cleanup();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('warm images against the testbed registry', () => {
  it('pulls the presets images with the build credentials and lists them in the heartbeat and `workers`', async () => {
    const config: WarmConfig & { workerName: string } = {
      workerName: 'warm-host',
      builders: { standin: { image: builderRef } },
      presets: { demo: { image: sourceRef, builder: 'standin', description: '' } },
      registries: { [registry.host]: { ...AUTH, insecure: true } },
      worker: {
        workDir,
        containerStorage: penv.graphRoot,
        minFreeDiskGiB: 0,
        warm: { intervalMinutes: 30 },
        timeouts: { loginSeconds: 60, pullSeconds: 300 },
      },
    };
    const real = createPodman('podman', logger, { env: { PATH: process.env.PATH ?? '', ...penv.env } });
    const warmer = createImageWarmer({ config, podman: real, logger, arch: hostArch(), capabilities: [] });
    await warmer.pass();

    const warm = warmer.warm();
    expect(warm.map((w) => w.ref)).toEqual([builderRef, sourceRef]);
    for (const w of warm) expect(w.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const exists = await podman(penv, ['image', 'exists', sourceRef]).then(
      () => true,
      () => false,
    );
    expect(exists).toBe(true);

    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    try {
      const heartbeat = await startHeartbeat(
        connection,
        {
          config: { ...config, worker: { ...config.worker, concurrency: 1 } },
          arch: 'x86_64',
          podman: real,
          running: () => [],
          warmImages: warmer.warm,
        },
        logger,
      );
      const [info] = await listLiveWorkers(connection);
      await heartbeat.stop();
      expect(info?.warmImages).toEqual(warm);
      expect(formatWorkers(info ? [info] : [], new Date())).toContain(
        `warm:     ${builderRef}, ${sourceRef}`,
      );
    } finally {
      connection.disconnect();
    }
  }, 300_000);
});
