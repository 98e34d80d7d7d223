// A stand-in build host for the heartbeat tests: beats like a worker until it is killed (test/integration).
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Arch } from '../../src/domain/build-request.ts';
import { startHeartbeat } from '../../workers/heartbeat.ts';

const env = process.env;
const redis = new Redis(env.HB_REDIS_URL ?? '', { maxRetriesPerRequest: null });
await startHeartbeat(
  redis,
  {
    config: {
      workerName: env.HB_NAME ?? 'child',
      builders: {},
      worker: { concurrency: 1, workDir: tmpdir(), containerStorage: tmpdir() },
    },
    arch: (env.HB_ARCH ?? 'x86_64') as Arch,
    podman: { version: async () => '4.3.1', listImages: async () => [] },
    running: () => [],
  },
  pino({ level: 'silent' }),
  { ttlMs: Number(env.HB_TTL_MS ?? 1500), intervalMs: Number(env.HB_INTERVAL_MS ?? 300) },
);
process.stdout.write('beating\n');
// Keep the event loop alive: the heartbeat timer is unref'd, as in a real worker whose BullMQ connection holds it.
setInterval(() => undefined, 60_000);
