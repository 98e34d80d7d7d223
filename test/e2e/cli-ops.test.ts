import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostArch } from '../../src/domain/host-arch.ts';
import { WORKER_NAME } from '../support/e2e-env.ts';
import { type E2eHost, startE2eHost } from '../support/e2e-host.ts';
import { type Child, type LineCollector, REPO_ROOT } from '../support/run-process.ts';
import type { Testbed } from '../testbed/index.ts';

// The operator commands against the whole testbed: a real worker process with its heartbeat, real
// builds through podman and the stand-in builder, the log read back from S3.

/** A valid build id no random build gets in practice (1 in 2^40): the leftover directory and "no such build". */
const LEFTOVER_ID = 'bzzzzzzzz';
const OTHER_ARCH = hostArch() === 'x86_64' ? 'aarch64' : 'x86_64';
const VERSION = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')).version as string;

let host: E2eHost;
let tb: Testbed;
let dir: string;
let env: Record<string, string>;
let worker: Child;
let workerOut: LineCollector;
let builtId = '';
let failedId = '';

function cli(args: string[], extraEnv: Record<string, string | undefined> = env) {
  return execa('node', ['bin/bootc-iso.js', ...args], {
    env: extraEnv,
    extendEnv: true,
    reject: false,
    cwd: REPO_ROOT,
  });
}

async function cliJson<T = Record<string, unknown>>(args: string[]): Promise<{ exitCode: number; json: T }> {
  const run = await cli([...args, '--json']);
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return { exitCode: run.exitCode ?? -1, json: JSON.parse(last) as T };
  } catch {
    throw new Error(`not JSON (exit ${run.exitCode}): ${run.stdout}\n${run.stderr}`);
  }
}

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface WorkerJson {
  name: string;
  arch: string;
  concurrency: number;
  running: string[];
  disk: { workDirFreeGiB: number | null; containerStorageFreeGiB: number | null };
  podmanVersion: string | null;
  builderImages: string[];
  version: string;
}

beforeAll(async () => {
  host = await startE2eHost({
    name: 'cli-ops',
    config: { buildSeconds: 60, extraYaml: '  imagePrune: { keepDays: 30 }' },
    beforeWorker: async (workDir, workerEnv) => {
      workerEnv.METRICS_PORT = 'off';
      // What a crashed worker leaves behind: a build directory with a half-written ISO.
      await mkdir(join(workDir, 'work', LEFTOVER_ID, 'attempt-1', 'output'), { recursive: true });
      await writeFile(join(workDir, 'work', LEFTOVER_ID, 'attempt-1', 'output', 'install.iso'), 'partial');
    },
  });
  ({ tb, dir, env, worker, workerOut } = host);
});

afterAll(() => host?.stop());

describe('bootc-iso workers', () => {
  it('lists the live worker from its heartbeat, after it removed a crashed run’s work directory', async () => {
    await expect(stat(join(dir, 'work', LEFTOVER_ID))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(workerOut.lines.some((l) => l.includes('removed work directories left by an earlier run'))).toBe(
      true,
    );

    const { exitCode, json } = await cliJson<WorkerJson[]>(['workers']);
    expect(exitCode).toBe(0);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({
      name: WORKER_NAME,
      arch: hostArch(),
      concurrency: 1,
      running: [],
      version: VERSION,
    });
    expect(json[0]?.podmanVersion).toMatch(/^\d+\.\d+/);
    expect(json[0]?.disk.workDirFreeGiB).toBeGreaterThan(0);
    expect(json[0]?.disk.containerStorageFreeGiB).toBeGreaterThan(0);

    const text = await cli(['workers']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^WORKER\s+ARCH\s+BUILDS/);
    expect(text.stdout).toContain(`${WORKER_NAME}  `);
    expect(text.stdout).toContain(hostArch());
  });

  it('prints each command’s usage with --help', async () => {
    for (const command of ['jobs', 'job', 'retry', 'workers']) {
      const run = await cli([command, '--help']);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`usage: bootc-iso ${command}`);
    }
    const top = await cli(['help']);
    for (const command of ['jobs', 'job', 'retry', 'workers']) expect(top.stdout).toContain(`  ${command} `);
  });
});

describe('jobs and job after a build', () => {
  it('lists, shows and prints the log of a completed build', async () => {
    const build = await cliJson<{ buildId: string; iso: { sha256: string } }>(['build', '--preset', 'demo']);
    expect(build.exitCode).toBe(0);
    builtId = build.json.buildId;

    const all = await cliJson<{ buildId: string; state: string; arch: string }[]>(['jobs']);
    expect(all.exitCode).toBe(0);
    expect(all.json).toContainEqual(
      expect.objectContaining({ buildId: builtId, state: 'completed', arch: hostArch() }),
    );
    const failedOnly = await cliJson<{ buildId: string }[]>([
      'jobs',
      '--state',
      'failed',
      '--arch',
      hostArch(),
    ]);
    expect(failedOnly.json.map((j) => j.buildId)).not.toContain(builtId);
    const table = await cli(['jobs', '--state', 'completed']);
    expect(table.stdout).toMatch(new RegExp(`^${builtId}\\s+completed\\s+${hostArch()}\\s+`, 'm'));

    const job = await cliJson<Record<string, unknown>>(['job', builtId]);
    expect(job.exitCode).toBe(0);
    expect(job.json).toMatchObject({
      buildId: builtId,
      state: 'completed',
      preset: 'demo',
      source: tb.sourceRef,
      requester: `cli:${userInfo().username}`,
      result: { iso: { sha256: build.json.iso.sha256 }, workerHost: WORKER_NAME },
    });
    const details = await cli(['job', builtId.toUpperCase()]);
    expect(details.exitCode).toBe(0);
    expect(details.stdout).toContain(`build ${builtId}: completed`);
    expect(details.stdout).toMatch(/download: +http:\/\/127\.0\.0\.1:\d+\//);
    expect(details.stdout).toContain(build.json.iso.sha256);

    const logs = await cli(['job', builtId, '--logs']);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toContain('Build complete!');
    const logsJson = await cliJson<{ log: string; state: string }>(['job', builtId, '--logs']);
    expect(logsJson.json.state).toBe('completed');
    expect(logsJson.json.log).toContain('Build complete!');
  });

  it('says that --logs needs S3 settings when the CLI has none, and exits 2', async () => {
    const noS3 = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('S3_')));
    const run = await cli(['job', builtId, '--logs'], noS3);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('reads the build log from S3, and S3_BUCKET is not set');
    // Without --logs the same CLI works: the link is in the queue.
    expect((await cli(['job', builtId], noS3)).exitCode).toBe(0);
  });

  it('answers an unknown build with exit 1', async () => {
    const run = await cli(['job', LEFTOVER_ID]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`no build ${LEFTOVER_ID}`);
    expect((await cliJson(['job', LEFTOVER_ID])).json).toEqual({ buildId: LEFTOVER_ID, state: 'not-found' });
    expect((await cli(['job', 'not-an-id'])).exitCode).toBe(2);
  });

  it('reports the builder image the worker now has, and records the images builds used', async () => {
    const [seen] = await eventually('the builder image in the heartbeat', async () => {
      const { json } = await cliJson<WorkerJson[]>(['workers']);
      return json[0]?.builderImages.includes(tb.builderRef) ? json : undefined;
    });
    expect(seen?.builderImages).toEqual([tb.builderRef]);
    const uses = JSON.parse(await readFile(join(dir, 'work', 'image-use.json'), 'utf8'));
    expect(Object.keys(uses)).toEqual(expect.arrayContaining([tb.builderRef, tb.sourceRef]));
  });
});

describe('retrying a failed build', () => {
  it('shows a failed build with its error and log, and queues it again as a new build', async () => {
    const failed = await cli(['build', '--image', tb.faultRefs.fail]);
    expect(failed.exitCode).toBe(1);
    failedId = /queued build (\S+)/.exec(failed.stdout)?.[1] ?? '';

    const job = await cliJson<{ state: string; error: { code: string; logTail: string[] } }>([
      'job',
      failedId,
    ]);
    expect(job.json.state).toBe('failed');
    expect(job.json.error.code).toBe('BUILDER_FAILED');
    expect(job.json.error.logTail.length).toBeGreaterThan(0);
    const text = await cli(['job', failedId]);
    expect(text.stdout).toContain('last builder output:');
    expect(text.stdout).toContain(`bootc-iso retry ${failedId}`);
    const log = await cli(['job', failedId, '--logs']);
    expect(log.exitCode).toBe(0);
    expect(log.stdout).toContain('osbuild failed');

    const retry = await cliJson<{ buildId: string; retryOf: string; error: { code: string } }>([
      'retry',
      failedId,
    ]);
    expect(retry.exitCode).toBe(1);
    expect(retry.json.retryOf).toBe(failedId);
    expect(retry.json.buildId).not.toBe(failedId);
    expect(retry.json.error.code).toBe('BUILDER_FAILED');
    const again = await cliJson<{ source: string; requester: string; state: string }>([
      'job',
      retry.json.buildId,
    ]);
    expect(again.json).toMatchObject({ source: tb.faultRefs.fail, state: 'failed' });
    expect(again.json.requester).toBe(`cli:${userInfo().username}`);
  });

  it('refuses to retry a build that did not fail', async () => {
    const run = await cli(['retry', builtId]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      `build ${builtId} is completed; only failed or cancelled builds can be retried`,
    );
  });

  it('queues a retry with --detach; job --logs --follow waits for it and exits 1 when it fails', async () => {
    const retry = await cliJson<{ buildId: string; retryOf: string }>(['retry', failedId, '--detach']);
    expect(retry.exitCode).toBe(0);
    expect(retry.json.retryOf).toBe(failedId);
    const follow = await cli(['job', retry.json.buildId, '--logs', '--follow']);
    // The build fails again (same image); the log still arrives, and the exit code says it failed.
    expect(follow.exitCode).toBe(1);
    expect(follow.stdout).toContain('osbuild failed');
    expect(follow.stderr).toContain('[failed]');
  });
});

describe('following a running build', () => {
  it('shows progress on stderr while it runs, then prints the log', async () => {
    const queued = await cliJson<{ buildId: string }>(['build', '--preset', 'slow', '--detach']);
    const early = await cli(['job', queued.json.buildId, '--logs']);
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toMatch(/is (waiting|active); its log is stored when it finishes: add --follow/);
    const follow = await cli(['job', queued.json.buildId, '--logs', '--follow']);
    expect(follow.exitCode).toBe(0);
    expect(follow.stderr).toContain('[build]');
    expect(follow.stderr).toContain('[done] build complete (100%)');
    expect(follow.stdout).toContain('Build complete!');
  });
});

describe('a build for an architecture with no live worker', () => {
  it('is queued with a warning, and workers points at the stranded queue', async () => {
    const run = await cli(['build', '--preset', 'demo', '--arch', OTHER_ARCH, '--detach', '--json']);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(`warning: no build worker for ${OTHER_ARCH} is online; the build waits`);
    const { buildId } = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');

    const waiting = await cliJson<{ buildId: string; state: string }[]>(['jobs', '--arch', OTHER_ARCH]);
    expect(waiting.json).toEqual([expect.objectContaining({ buildId, state: 'waiting' })]);
    const workers = await cli(['workers']);
    expect(workers.stderr).toContain(
      `1 build(s) wait in the ${OTHER_ARCH} queue and no ${OTHER_ARCH} worker is online`,
    );
    // A build for the worker's own arch gets no warning.
    const mine = await cli(['build', '--preset', 'demo', '--detach']);
    expect(mine.stderr).toBe('');

    expect((await cli(['cancel', buildId])).exitCode).toBe(0);
  });
});

describe('a worker that stops', () => {
  it('leaves the list at once on a clean stop', async () => {
    // Let the build queued above finish so the stop does not hand it back mid-run.
    await eventually('an idle worker', async () => {
      const { json } = await cliJson<{ state: string }[]>([
        'jobs',
        '--state',
        'active,waiting',
        '--arch',
        hostArch(),
      ]);
      return json.length === 0 ? true : undefined;
    });
    worker.kill('SIGTERM');
    expect((await worker).exitCode).toBe(0);
    const { json } = await cliJson<WorkerJson[]>(['workers']);
    expect(json).toEqual([]);
  });
});
