import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostArch } from '../../src/domain/host-arch.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { type E2eHost, startE2eHost } from '../support/e2e-host.ts';
import { type Child, collectLines, type LineCollector, startTsx } from '../support/run-process.ts';

const BUILD_LABEL = 'io.bootc-iso.build';

import { podman, type Testbed } from '../testbed/index.ts';

const REGISTRY_USER = 'isobuilder';
// Distinctive, so a leak into logs or artifacts would be easy to spot.
const REGISTRY_PASSWORD = 'e2e-Reg1stry-Pa55word-7f3a';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0eSiC7lXbU0c0Q1wq8m2cmBkYQh9cQbAq1v2F0yZd admin@e2e';

let host: E2eHost;
let tb: Testbed;
let dir: string;
let env: Record<string, string>;
let worker: Child;
let workerOut: LineCollector;

async function isoFile(iso: string, path: string): Promise<string> {
  const out = join(dir, `extract-${Math.random().toString(36).slice(2)}`);
  await execa('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', path, out]);
  return readFile(out, 'utf8');
}

function cli(args: string[]) {
  return execa('node', ['bin/bootc-iso.js', ...args], { env, extendEnv: true, reject: false });
}

beforeAll(async () => {
  host = await startE2eHost({
    name: 'e2e',
    registry: { username: REGISTRY_USER, password: REGISTRY_PASSWORD },
    config: { buildSeconds: 12 },
  });
  ({ tb, dir, env, worker, workerOut } = host);
});

afterAll(() => host?.stop());

describe('an ISO build through the CLI, a real worker, podman, the registry and S3', () => {
  it('logs in, pulls both images, runs the builder as documented and publishes a verifiable ISO', async () => {
    const run = await cli([
      'build',
      '--preset',
      'demo',
      '--user',
      'admin',
      '--ssh-key',
      SSH_KEY,
      '--groups',
      'wheel',
      '--volume-id',
      'E2E_TEST',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result.sourceImage).toBe(tb.sourceRef);
    expect(result.sourceDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.builderDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.workerHost).toBe('e2e-host');

    // The worker logged in to the registry and pulled both images from it.
    const logs = workerOut.lines.filter((l) => l.includes(result.buildId));
    expect(logs.some((l) => l.includes('podman login') && l.includes(tb.registry.host))).toBe(true);
    expect(logs.some((l) => l.includes('podman pull') && l.includes(tb.builderRef))).toBe(true);
    expect(logs.some((l) => l.includes('podman pull') && l.includes(tb.sourceRef))).toBe(true);
    expect(workerOut.lines.join('\n')).not.toContain(REGISTRY_PASSWORD);

    // A plain HTTP GET of the presigned link returns the ISO whose sha256 was reported.
    const response = await fetch(result.link.url);
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(result.iso.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(result.iso.sha256);
    const iso = join(dir, 'downloaded.iso');
    await writeFile(iso, bytes);
    expect((await execa('file', ['-b', iso])).stdout).toContain('ISO 9660');

    // The ISO names the requested source image and carries the config we generated.
    expect((await isoFile(iso, '/SOURCE')).trim()).toBe(tb.sourceRef);
    const config = await isoFile(iso, '/CONFIG');
    expect(config).toContain('name = "admin"');
    expect(config).toContain(SSH_KEY);
    expect(config).toContain('volume_id = "E2E_TEST"');
    const argv = (await isoFile(iso, '/ARGS')).trim().split('\n');
    expect(argv).toEqual(['--type', 'iso', '--progress', 'verbose', tb.sourceRef]);
    const mounts = await isoFile(iso, '/MOUNTS');
    for (const m of ['/output', '/config.toml', '/var/lib/containers/storage']) expect(mounts).toContain(m);

    // The log and manifest sit next to the ISO, and the manifest agrees with the result.
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    expect((await store.headObject(result.logKey))?.size).toBeGreaterThan(0);
    const manifest = JSON.parse(await store.getObjectText(result.manifestKey));
    expect(manifest.iso.sha256).toBe(result.iso.sha256);
    expect(manifest.source.digest).toBe(result.sourceDigest);
    expect(await store.getObjectText(result.logKey)).toContain('Build complete!');
  });

  it('shows progress as plain lines on stderr when not on a terminal and ends with the download details', async () => {
    const run = await cli(['build', '--image', tb.sourceRef, '--type', 'anaconda-iso']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^queued build [0-9a-z]+/m);
    expect(run.stderr).toContain('[pull]');
    expect(run.stderr).toContain('[build]');
    expect(run.stdout).not.toContain('[build]');
    expect(run.stdout).toMatch(/download: http:\/\/127\.0\.0\.1:\d+\//);
    expect(run.stdout).toMatch(/sha256: +[0-9a-f]{64}/);
  });

  it('fails a builder error with its last log lines, without retrying', async () => {
    const run = await cli(['build', '--image', tb.faultRefs.fail]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('bootc-image-builder exited with code');
    expect(run.stderr).toContain('last builder output');
    const buildId = /queued build (\S+)/.exec(run.stdout)?.[1] ?? '';
    expect(run.stderr).toContain(`bootc-iso: build ${buildId} failed: `);
    expect(run.stderr).toContain(`bootc-iso job ${buildId} --logs`);
    const queue = new Queue(buildQueueName(hostArch()), {
      connection: { url: tb.redis.url },
      prefix: QUEUE_PREFIX,
    });
    const job = await queue.getJob(buildId);
    expect(job?.attemptsMade).toBe(1);
    await queue.close();
  });

  it('reports a wrong registry password as an authentication failure naming the registry, without retrying', async () => {
    await writeFile(join(dir, 'registry.pass'), 'not-the-password\n');
    try {
      const run = await cli(['build', '--preset', 'demo']);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(`authentication failed for ${tb.registry.host}`);
      const buildId = /queued build (\S+)/.exec(run.stdout)?.[1] ?? '';
      const queue = new Queue(buildQueueName(hostArch()), {
        connection: { url: tb.redis.url },
        prefix: QUEUE_PREFIX,
      });
      const job = await queue.getJob(buildId);
      expect(job?.attemptsMade).toBe(1);
      expect(await job?.getState()).toBe('failed');
      await queue.close();
    } finally {
      await writeFile(join(dir, 'registry.pass'), `${REGISTRY_PASSWORD}\n`);
    }
  });

  it('refuses a request for a registry that is not allowed and queues nothing', async () => {
    const run = await cli(['build', '--image', 'evil.example.com/x/y:1']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('evil.example.com');
    expect(run.stderr).toContain('not allowed');
  });
});

async function containersOf(buildId: string): Promise<string> {
  const { stdout } = await podman(tb.podman, [
    'ps',
    '--all',
    '--filter',
    `label=${BUILD_LABEL}=${buildId}`,
    '--quiet',
  ]);
  return stdout.trim();
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - start;
}

describe('stopping builds: cancel and timeouts', () => {
  it('cancels a queued build and a running one from the CLI; the container goes and nothing is published', async () => {
    const running = startTsx('src/bin/cli.ts', env, ['build', '--image', tb.faultRefs.slow]);
    const runningOut = collectLines(running);
    const runningId = (/queued build (\S+)/.exec(await runningOut.waitFor(/queued build/)) ?? [])[1] ?? '';
    await runningOut.waitFor(/\[build\]/, 60_000);
    await waitUntil(async () => (await containersOf(runningId)) !== '', 20_000);

    const queued = await cli(['build', '--image', tb.sourceRef, '--detach', '--json']);
    const queuedId = JSON.parse(queued.stdout.trim().split('\n').at(-1) ?? '{}').buildId;
    const removeQueued = await cli(['cancel', queuedId]);
    expect(removeQueued.stdout).toContain('removed from the queue');
    expect(removeQueued.exitCode).toBe(0);

    const cancel = await cli(['cancel', runningId]);
    expect(cancel.stdout).toContain('cancel sent');
    expect(cancel.exitCode).toBe(0);
    const gone = await waitUntil(async () => (await containersOf(runningId)) === '', 10_000);
    console.log(`cancel: builder container removed ${gone} ms after the cancel command returned`);

    const result = await running;
    expect(result.exitCode).toBe(1);
    expect(result.all).toMatch(/cancelled by cli:/);
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    // No image under any attempt's keys.
    const stored: string[] = [];
    for await (const key of store.listKeys(`builds/${runningId}/`)) stored.push(key);
    expect(stored.filter((k) => k.endsWith('.iso'))).toEqual([]);
    expect(await store.headObject(`builds/${runningId}/manifest.json`)).toBeUndefined();
    const queue = new Queue(buildQueueName(hostArch()), {
      connection: { url: tb.redis.url },
      prefix: QUEUE_PREFIX,
    });
    expect(await queue.getJob(queuedId)).toBeUndefined();
    expect((await queue.getJob(runningId))?.attemptsMade).toBe(1);
    await queue.close();
  });

  it('stops a hung builder at the build timeout, removes its container and says so', async () => {
    const run = await cli(['build', '--image', tb.faultRefs.hang]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('took too long');
    const buildId = /queued build (\S+)/.exec(run.stdout)?.[1] ?? '';
    expect(await containersOf(buildId)).toBe('');
  });
});

describe('the CLI without a separate worker', () => {
  it('stops the worker cleanly on SIGTERM', async () => {
    worker.kill('SIGTERM');
    const result = await worker;
    expect(result.exitCode).toBe(0);
    expect(workerOut.lines.some((l) => l.includes('stopping: no new builds'))).toBe(true);
  });

  it('builds in its own process with --local', async () => {
    const run = await cli(['build', '--preset', 'demo', '--local', '--json']);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result.workerHost).toBe('e2e-host');
    expect(result.iso.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The in-process worker logs to stderr, so stdout stays machine-readable.
    expect(run.stderr).toContain('worker ready');
    expect(run.stderr).not.toContain(REGISTRY_PASSWORD);
  });

  it('says clearly when Redis cannot be reached, without a stack trace', async () => {
    const run = await execa('node', ['bin/bootc-iso.js', 'build', '--preset', 'demo'], {
      env: { ...env, REDIS_URL: 'redis://:pw-in-url@127.0.0.1:9/0' },
      reject: false,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('cannot reach Redis at redis://127.0.0.1:9');
    expect(run.stderr).not.toContain('pw-in-url');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
