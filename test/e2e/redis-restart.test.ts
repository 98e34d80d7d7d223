import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostArch } from '../../src/domain/host-arch.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, collectLines, type LineCollector, startTsx } from '../support/run-process.ts';
import { until } from '../support/slack-e2e.ts';
import {
  type RedisHandle,
  requireTools,
  startRedis,
  startTestbed,
  TESTBED_TOOLS,
  type Testbed,
} from '../testbed/index.ts';

let tb: Testbed;
let redis: RedisHandle;
let dir: string;
let env: Record<string, string>;
let worker: Child;
let workerOut: LineCollector;

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  // Redis as operators run it: append-only file on, so a restart keeps the queue.
  redis = await startRedis({ appendonly: true });
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-redis-restart-'));
  ({ env } = await writeE2eConfig(tb, dir, tb.registry));
  env.REDIS_URL = redis.url;
  worker = startTsx('workers/main.ts', env);
  workerOut = collectLines(worker);
  await workerOut.waitFor(/worker ready/, 60_000);
});

afterAll(async () => {
  worker?.kill('SIGTERM');
  await worker?.catch(() => undefined);
  await redis?.stop();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a Redis restart with builds queued and running', () => {
  it('loses and duplicates nothing: every build still runs to completion exactly once', async () => {
    const queued: string[] = [];
    for (const preset of ['slow', 'demo', 'demo']) {
      const run = await execa(
        'node',
        ['bin/bootc-iso.js', 'build', '--preset', preset, '--detach', '--json'],
        {
          env,
          extendEnv: true,
        },
      );
      queued.push(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}').buildId);
    }
    const queue = new Queue(buildQueueName(hostArch()), {
      connection: { url: redis.url },
      prefix: QUEUE_PREFIX,
    });
    await until(
      'the first build to run',
      async () => (await queue.getJobState(queued[0] ?? '')) === 'active',
      60_000,
    );
    await queue.close();

    await redis.restart();
    const restartedAt = Date.now();

    const after = new Queue(buildQueueName(hostArch()), {
      connection: { url: redis.url },
      prefix: QUEUE_PREFIX,
    });
    try {
      await until(
        'every build to finish',
        async () => {
          const states = await Promise.all(queued.map((id) => after.getJobState(id)));
          return states.every((s) => s === 'completed' || s === 'failed') ? states : undefined;
        },
        150_000,
      );
      const jobs = await Promise.all(queued.map((id) => after.getJob(id)));
      const completed = jobs.filter((j) => j?.finishedOn && j.returnvalue?.iso?.sha256).length;
      // Each build ran once: one "build complete" log line per build.
      const runs = queued.map(
        (id) => workerOut.lines.filter((l) => l.includes(id) && l.includes('build complete')).length,
      );
      const store = createS3Store({ ...tb.s3, forcePathStyle: true });
      const manifests = await Promise.all(queued.map((id) => store.headObject(`builds/${id}/manifest.json`)));
      console.log(
        `redis restart: ${completed}/${queued.length} builds completed after the restart ` +
          `(${Math.round((Date.now() - restartedAt) / 1000)} s), runs per build ${JSON.stringify(runs)}`,
      );
      expect(completed).toBe(queued.length);
      expect(runs.every((n) => n === 1)).toBe(true);
      expect(manifests.every(Boolean)).toBe(true);
    } finally {
      await after.close();
    }
  });
});
