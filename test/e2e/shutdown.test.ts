import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostArch } from '../../src/domain/host-arch.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, collectLines, startTsx } from '../support/run-process.ts';
import { until } from '../support/slack-e2e.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

let tb: Testbed;
let dir: string;
let queue: Queue;
const children: Child[] = [];

async function workerWithGrace(name: string, graceSeconds: number) {
  const hostDir = join(dir, name);
  await mkdir(hostDir, { recursive: true });
  const { env } = await writeE2eConfig(tb, hostDir, tb.registry, {
    extraYaml: `  shutdownGraceSeconds: ${graceSeconds}`,
  });
  const child = startTsx('workers/main.ts', { ...env, WORKER_NAME: name, METRICS_PORT: 'off' });
  children.push(child);
  const out = collectLines(child);
  await out.waitFor(/worker ready/, 60_000);
  return { child, out, env };
}

async function queueSlowBuild(env: Record<string, string>): Promise<string> {
  const run = await execa('node', ['bin/bootc-iso.js', 'build', '--preset', 'slow', '--detach', '--json'], {
    env,
    extendEnv: true,
  });
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}').buildId;
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-shutdown-'));
  queue = new Queue(buildQueueName(hostArch()), { connection: { url: tb.redis.url }, prefix: QUEUE_PREFIX });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map((c) => c.catch(() => undefined)));
  await queue?.close();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('graceful shutdown of a worker (SIGTERM)', () => {
  it('lets a running build finish within the grace period, then exits', async () => {
    const { child, env } = await workerWithGrace('grace-host', 120);
    const buildId = await queueSlowBuild(env);
    await until('the build to run', async () => (await queue.getJobState(buildId)) === 'active', 60_000);
    child.kill('SIGTERM');
    const exit = await child;
    expect(exit.exitCode).toBe(0);
    expect(await queue.getJobState(buildId)).toBe('completed');
    console.log('shutdown: 1/1 builds finished within the grace period before the worker exited');
  });

  it('hands a build back to the queue, without using up an attempt, when the grace period is over', async () => {
    const { child, env } = await workerWithGrace('impatient-host', 0);
    const buildId = await queueSlowBuild(env);
    await until('the build to run', async () => (await queue.getJobState(buildId)) === 'active', 60_000);
    child.kill('SIGTERM');
    expect((await child).exitCode).toBe(0);
    const job = await queue.getJob(buildId);
    expect(['delayed', 'waiting']).toContain(await job?.getState());
    expect(job?.attemptsMade).toBe(0);

    await workerWithGrace('next-host', 0);
    await until(
      'the build to finish on the next host',
      async () => (await queue.getJobState(buildId)) === 'completed',
      120_000,
    );
    expect((await queue.getJob(buildId))?.returnvalue?.workerHost).toBe('next-host');
    console.log('shutdown: 1/1 builds requeued at shutdown completed on another host, 0 failed');
  });
});
