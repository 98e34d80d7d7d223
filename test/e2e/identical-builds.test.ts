import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../../src/queue/build-job.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { collectLines, type LineCollector, startTsx } from '../support/run-process.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

// Identical-build cache end to end: real workers, podman with the stand-in builder, registry, s3rver.

const CREDS = { username: 'cacheuser', password: 'cache-Reg-Pa55-41d2' };

let tb: Testbed;
let dir: string;
let env: Record<string, string>;
const workers: { proc: ReturnType<typeof startTsx>; out: LineCollector }[] = [];

async function startWorker(name: string) {
  const proc = startTsx('workers/main.ts', { ...env, WORKER_NAME: name });
  const out = collectLines(proc);
  await out.waitFor(/worker ready/, 60_000);
  workers.push({ proc, out });
}

async function stopWorkers() {
  for (const w of workers.splice(0)) {
    w.proc.kill('SIGTERM');
    await w.proc.catch(() => undefined);
  }
}

async function build(args: string[]): Promise<BuildResult> {
  const run = await execa('node', ['bin/bootc-iso.js', 'build', ...args, '--json'], {
    env,
    extendEnv: true,
    reject: false,
  });
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as BuildResult;
}

async function sha256Of(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return createHash('sha256')
    .update(Buffer.from(await response.arrayBuffer()))
    .digest('hex');
}

const workerLines = () => workers.flatMap((w) => w.out.lines);

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed({ registryUser: CREDS.username, registryPassword: CREDS.password });
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-identical-'));
  ({ env } = await writeE2eConfig(tb, dir, CREDS, { buildSeconds: 120 }));
  await Promise.all([startWorker('cache-host-1'), startWorker('cache-host-2')]);
});

afterAll(async () => {
  await stopWorkers();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('identical builds', () => {
  let first: BuildResult;

  it('answers a repeated request from the earlier ISO: no builder run, verified object, fresh link', async () => {
    first = await build(['--preset', 'demo', '--volume-id', 'CACHE_A']);
    expect(first.reusedFrom).toBeUndefined();
    expect(first.timings.build).toBeGreaterThan(0);

    const started = Date.now();
    const again = await build(['--preset', 'demo', '--volume-id', 'CACHE_A']);
    const wallMs = Date.now() - started;
    expect(again.buildId).not.toBe(first.buildId);
    expect(again.reusedFrom).toBe(first.buildId);
    expect(again.timings.build).toBeUndefined();
    expect(again.iso).toEqual(first.iso);
    expect(again.sourceDigest).toBe(first.sourceDigest);
    // A link signed for this answer (the URL itself can equal the first one when both fall in the same second).
    expect(Date.parse(again.link.expiresAt)).toBeGreaterThanOrEqual(Date.parse(first.link.expiresAt));
    expect(new URL(again.link.url).pathname).toBe(new URL(first.link.url).pathname);
    expect(await sha256Of(again.link.url)).toBe(first.iso.sha256);
    // No container was started for it: the worker said so and never ran the builder under its id.
    const lines = workerLines().filter((l) => l.includes(again.buildId));
    expect(lines.some((l) => l.includes('answered from an identical build'))).toBe(true);
    expect(lines.some((l) => l.includes('bootc-image-builder'))).toBe(false);

    // The reused build has its own manifest and log, pointing at the ISO it reused.
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const manifest = JSON.parse(await store.getObjectText(again.manifestKey));
    expect(manifest.reusedFrom.buildId).toBe(first.buildId);
    expect(await store.getObjectText(again.logKey)).toContain(first.buildId);
    console.log(
      `identical build: answered in ${wallMs} ms by the CLI (process start included); worker steps ${JSON.stringify(again.timings)}`,
    );
  });

  it('builds again when asked to (--rebuild), and any other setting means another build', async () => {
    const rebuilt = await build(['--preset', 'demo', '--volume-id', 'CACHE_A', '--rebuild']);
    expect(rebuilt.reusedFrom).toBeUndefined();
    expect(rebuilt.timings.build).toBeGreaterThan(0);
    const other = await build(['--preset', 'demo', '--volume-id', 'CACHE_B']);
    expect(other.reusedFrom).toBeUndefined();
    // The newest build of a key is the one reused from now on.
    const again = await build(['--preset', 'demo', '--volume-id', 'CACHE_A']);
    expect(again.reusedFrom).toBe(rebuilt.buildId);
  });

  it('runs concurrent identical requests as one build (the other waits for it on another host)', async () => {
    const [a, b] = await Promise.all([
      build(['--preset', 'slow', '--volume-id', 'CACHE_C']),
      build(['--preset', 'slow', '--volume-id', 'CACHE_C']),
    ]);
    const built = [a, b].filter((r) => r.reusedFrom === undefined);
    const reused = [a, b].filter((r) => r.reusedFrom !== undefined);
    expect(built).toHaveLength(1);
    expect(reused).toHaveLength(1);
    expect(reused[0]?.reusedFrom).toBe(built[0]?.buildId);
    expect(reused[0]?.iso.sha256).toBe(built[0]?.iso.sha256);
    // Both hosts took one: the second waited for the first instead of building the same ISO.
    const waited = workerLines().filter(
      (l) => l.includes(reused[0]?.buildId ?? '-') && l.includes('waiting for an identical build'),
    );
    expect(waited.length).toBeGreaterThan(0);
    console.log(
      `identical concurrent requests: 2 submitted, ${built.length} builder run, ${reused.length} answered from it`,
    );
  });

  it('builds the waiting request itself when the build it waited for fails (nothing is answered from a failure)', async () => {
    const failing = () =>
      execa('node', ['bin/bootc-iso.js', 'build', '--image', tb.faultRefs.failLate, '--json'], {
        env,
        extendEnv: true,
        reject: false,
      });
    const runs = await Promise.all([failing(), failing()]);
    const results = runs.map((run) => {
      expect(run.exitCode).toBe(1);
      return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
        buildId: string;
        error: { code: string };
      };
    });
    expect(results.map((r) => r.error.code)).toEqual(['BUILDER_FAILED', 'BUILDER_FAILED']);
    // The worker's own log records of each build (a waiter's records also name the build it waits for).
    type LogRecord = { buildId?: string; msg: string; time: string };
    const records = workerLines().flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as LogRecord] : []));
    const recordsOf = (id: string) => records.filter((r) => r.buildId === id);
    const firstTime = (id: string, msg: string) =>
      Math.min(
        ...recordsOf(id)
          .filter((r) => r.msg === msg)
          .map((r) => Date.parse(r.time)),
      );
    // One waited for the other, then, the first having failed, ran the builder itself instead of waiting forever
    // or being handed the failure: two builder runs, each build failing with its own builder's error.
    const waiters = results.filter((r) =>
      recordsOf(r.buildId).some((x) => x.msg === 'waiting for an identical build'),
    );
    expect(waiters).toHaveLength(1);
    const [waiter] = waiters as [(typeof results)[number]];
    const holder = results.find((r) => r !== waiter) as (typeof results)[number];
    for (const r of results) {
      expect(recordsOf(r.buildId).filter((x) => x.msg === 'running builder')).toHaveLength(1);
      expect(recordsOf(r.buildId).some((x) => x.msg === 'answered from an identical build')).toBe(false);
    }
    // The holder's builder runs 8 s before it fails (fail-build-8), so a waiter that started its own only after
    // the holder's failure started it at least 8 s after the holder's.
    const gap = firstTime(waiter.buildId, 'running builder') - firstTime(holder.buildId, 'running builder');
    expect(gap).toBeGreaterThanOrEqual(8000);
    console.log(
      `identical requests whose first build fails: 2 submitted, 2 builder runs, the waiter's started ${gap} ms after the first's (which failed 8 s in)`,
    );
  });

  it('survives a restart of everything but storage: Redis emptied, workers restarted', async () => {
    await stopWorkers();
    const redis = new Redis(tb.redis.url);
    await redis.flushall();
    redis.disconnect();
    await startWorker('cache-host-3');
    const again = await build(['--preset', 'demo', '--volume-id', 'CACHE_B']);
    expect(again.reusedFrom).toBeDefined();
    expect(await sha256Of(again.link.url)).toBe(again.iso.sha256);
  });

  it('rebuilds a lost index from the manifests (bootc-iso cache reindex)', async () => {
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const entries: string[] = [];
    for await (const key of store.listKeys('cache/')) entries.push(key);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const Key of entries)
      await store.client.send(new DeleteObjectCommand({ Bucket: tb.s3.bucket, Key }));

    const run = await execa('node', ['bin/bootc-iso.js', 'cache', 'reindex', '--json'], {
      // The AWS SDK warns once on Node < 22 that its releases after January 2027 will need Node 22 (README).
      env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      extendEnv: true,
      reject: false,
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.written).toBeGreaterThanOrEqual(3);
    console.log(`identical-build index rebuilt from manifests: ${run.stdout.trim()}`);
    // The slow builder would take ~20 s: an answer in a few seconds comes from the rebuilt index.
    const again = await build(['--preset', 'slow', '--volume-id', 'CACHE_C']);
    expect(again.reusedFrom).toBeDefined();
    expect(again.timings.build).toBeUndefined();
  });
});
