import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../src/domain/bib-args.ts';
import { hostArch } from '../../src/domain/host-arch.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { collectLines, type LineCollector, startTsx } from '../support/run-process.ts';
import {
  buildSourceImage,
  podman,
  pushImage,
  requireTools,
  startTestbed,
  TESTBED_TOOLS,
  type Testbed,
} from '../testbed/index.ts';

// What the worker checks between the pull and the builder, and what a build leaves in its log, on the real testbed.

const AUTH = { username: 'checker', password: 'e2e-Check-Pa55word-91c4' };
const FOREIGN_ARCH = hostArch() === 'x86_64' ? 'arm64' : 'amd64';

let tb: Testbed;
let dir: string;
let env: Record<string, string>;
let worker: ReturnType<typeof startTsx>;
let workerOut: LineCollector;
let queue: Queue;
let notBootcRef: string;
let foreignRef: string;

function cli(args: string[]) {
  return execa('node', ['bin/bootc-iso.js', ...args], { env, extendEnv: true, reject: false });
}

/** What `--json` prints last: a build's result, or `{ buildId, error }` (fields read here only). */
interface CliJson {
  buildId: string;
  error: { code: string; message: string };
  artifacts: { role: string; type: string; sha256: string; url?: string }[];
  iso: { sha256: string };
  manifestKey: string;
  logKey: string;
  sourceDigest: string;
}

/** The last JSON line of a `--json` command. */
function lastJson(stdout: string): CliJson {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}

/** Images the checks must refuse, made from the demo OS's files and pushed to the testbed registry. */
async function pushRefusedImages(): Promise<void> {
  const local = 'localhost/worker-checks/demo-os:1';
  await buildSourceImage(tb.podman, local);
  const rootfs = join(dir, 'rootfs.tar');
  await podman(tb.podman, ['create', '--name', 'worker-checks-export', local, '/bin/sh']);
  await podman(tb.podman, ['export', '-o', rootfs, 'worker-checks-export']);
  await podman(tb.podman, ['rm', 'worker-checks-export']);
  const host = tb.registry.host;
  // The same files without the bootc label.
  await podman(tb.podman, [
    'import',
    '--quiet',
    '--change',
    'CMD ["/bin/sh"]',
    rootfs,
    'localhost/worker-checks/plain:1',
  ]);
  notBootcRef = `${host}/bootc/not-bootc:1`;
  await pushImage(tb.podman, 'localhost/worker-checks/plain:1', notBootcRef, AUTH);
  // Labelled, but for another architecture.
  await podman(tb.podman, [
    'import',
    '--quiet',
    '--arch',
    FOREIGN_ARCH,
    '--change',
    'LABEL containers.bootc=1',
    rootfs,
    'localhost/worker-checks/foreign:1',
  ]);
  foreignRef = `${host}/bootc/foreign-os:1`;
  await pushImage(tb.podman, 'localhost/worker-checks/foreign:1', foreignRef, AUTH);
  for (const ref of [local, 'localhost/worker-checks/plain:1', 'localhost/worker-checks/foreign:1'])
    await podman(tb.podman, ['rmi', ref]);
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed({ registryUser: AUTH.username, registryPassword: AUTH.password });
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-checks-'));
  ({ env } = await writeE2eConfig(tb, dir, AUTH));
  await pushRefusedImages();
  queue = new Queue(buildQueueName(hostArch()), { connection: { url: tb.redis.url }, prefix: QUEUE_PREFIX });
  worker = startTsx('workers/main.ts', env);
  workerOut = collectLines(worker);
  await workerOut.waitFor(/worker ready/, 60_000);
});

afterAll(async () => {
  worker?.kill('SIGTERM');
  await worker?.catch(() => undefined);
  await queue?.close();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Lines the worker logged for one build. */
const linesOf = (buildId: string) => workerOut.lines.filter((l) => l.includes(buildId));

describe('checks after the pull, before the builder', () => {
  it('refuses a source without the bootc label, naming image and label; the builder never starts; no retry', async () => {
    const run = await cli(['build', '--image', notBootcRef, '--json']);
    expect(run.exitCode).toBe(1);
    const { buildId, error } = lastJson(run.stdout);
    expect(error.code).toBe('NOT_BOOTC_IMAGE');
    expect(error.message).toContain(notBootcRef);
    expect(error.message).toContain('containers.bootc=1');
    expect((await queue.getJob(buildId))?.attemptsMade).toBe(1);
    expect(linesOf(buildId).some((l) => l.includes('running builder'))).toBe(false);
    const log = await cli(['job', buildId, '--logs']);
    expect(log.stdout).toContain('containers.bootc=(not set)');
    expect(log.stdout).not.toContain('$ podman run');
    console.log('worker checks: unlabelled source refused before the builder (1 attempt, 0 builder runs)');
  });

  it('refuses a source of another architecture, naming both', async () => {
    const run = await cli(['build', '--image', foreignRef, '--json']);
    expect(run.exitCode).toBe(1);
    const { buildId, error } = lastJson(run.stdout);
    expect(error.code).toBe('ARCH_MISMATCH');
    expect(error.message).toContain(`architecture ${FOREIGN_ARCH}`);
    expect(error.message).toContain(hostArch());
    expect(linesOf(buildId).some((l) => l.includes('running builder'))).toBe(false);
  });
});

describe('a log for every build', () => {
  it("keeps a downloadable build.log with podman's error for a build that fails at the pull", async () => {
    const missing = `${tb.registry.host}/bootc/demo-os:no-such-tag`;
    const run = await cli(['build', '--image', missing, '--json']);
    expect(run.exitCode).toBe(1);
    const { buildId, error } = lastJson(run.stdout);
    expect(error.code).toBe('IMAGE_NOT_FOUND');
    const log = await cli(['job', buildId, '--logs']);
    expect(log.exitCode).toBe(0);
    const lines = log.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^# build ${buildId}, attempt 1, on build host e2e-host`));
    expect(log.stdout).toMatch(/\$ podman login .*--password-stdin/);
    expect(log.stdout).toContain(`--tls-verify=false ${missing}`);
    expect(log.stdout).toMatch(/manifest unknown/i);
    expect(log.stdout).toContain('# build failed: image not found');
    expect(log.stdout).not.toContain(AUTH.password);
  });

  it('records every step of a good build; manifest v2 lists the artifacts and the digests that ran', async () => {
    const run = await cli(['build', '--preset', 'demo', '--rebuild', '--json']);
    expect(run.exitCode).toBe(0);
    const result = lastJson(run.stdout);
    expect(result.artifacts.map((a) => `${a.role}:${a.type}`)).toEqual([
      'image:iso',
      'log:log',
      'checksums:checksums',
    ]);
    expect(result.artifacts[0]?.sha256).toBe(result.iso.sha256);
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const manifest = JSON.parse(await store.getObjectText(result.manifestKey));
    expect(manifest.schemaVersion).toBe(2);
    // The same list, without the result's time-limited links (a manifest would outlive them).
    expect(manifest.artifacts).toEqual(result.artifacts.map(({ url: _, ...a }) => a));
    expect(manifest.source.digest).toBe(result.sourceDigest);
    const log = await store.getObjectText(result.logKey);
    const order = [
      '# build ',
      '$ podman login',
      '$ podman pull',
      '== step',
      '$ podman run',
      'Build complete!',
      'uploaded ',
    ];
    const at = order.map((s) => log.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(log.indexOf('$ podman run')).toBeGreaterThan(log.indexOf('$ podman pull'));
    // The builder got the source by the tag whose digest was recorded (checked right before the run).
    expect(log).toContain(`pulled ${tb.sourceRef} as ${result.sourceDigest}`);
    expect(log).not.toContain(AUTH.password);
  });
});

/** Pids of running processes whose command line contains every one of `parts`. */
async function processesWith(parts: string[]): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    const argv = cmdline.split('\0');
    if (parts.every((p) => argv.includes(p))) pids.push(Number(name));
  }
  return pids;
}

async function environOf(pid: number): Promise<Map<string, string>> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
  return new Map(
    raw
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

describe('the build host protects its secrets', () => {
  it("runs podman with a minimal environment: none of the service's secrets reach it", async () => {
    const queued = await cli(['build', '--preset', 'slow', '--rebuild', '--detach', '--json']);
    const { buildId } = lastJson(queued.stdout);
    let pids: number[] = [];
    const deadline = Date.now() + 60_000;
    while (pids.length === 0 && Date.now() < deadline) {
      // The container is named per attempt; its build label is exact.
      pids = await processesWith(['run', `${LABELS.build}=${buildId}`]);
      if (pids.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(pids.length).toBeGreaterThan(0);
    const childEnv = await environOf(pids[0] ?? 0);
    const workerEnv = await environOf(worker.pid ?? 0);
    const secrets = ['S3_SECRET_ACCESS_KEY', 'S3_ACCESS_KEY_ID', 'REDIS_URL'];
    // The worker itself holds them (so this test could see a leak)...
    for (const name of secrets) expect(workerEnv.get(name)).toBeTruthy();
    // ...its podman holds none of them, under any name.
    const values = secrets.map((n) => workerEnv.get(n) ?? '');
    const leaked = [...childEnv.entries()].filter(
      ([k, v]) => secrets.includes(k) || values.some((s) => s !== '' && v.includes(s)),
    );
    console.log(
      `secrets in child environments: ${leaked.length} (podman pid ${pids[0]} has ${childEnv.size} variables: ${[...childEnv.keys()].sort().join(', ')})`,
    );
    expect(leaked).toEqual([]);
    expect(childEnv.get('CONTAINERS_STORAGE_CONF')).toBe(env.CONTAINERS_STORAGE_CONF);
    await cli(['cancel', buildId]);
  });
});
