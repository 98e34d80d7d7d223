import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, collectLines, type LineCollector, REPO_ROOT, startTsx } from '../support/run-process.ts';
import { podman, requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

let tb: Testbed;
let dir: string;
let env: Record<string, string>;
let worker: Child | undefined;
let workerOut: LineCollector;

beforeAll(async () => {
  requireTools([...TESTBED_TOOLS, 'skopeo']);
  tb = await startTestbed();
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-image-limits-'));
  // About 100 KiB: smaller than any image of the testbed.
  ({ env } = await writeE2eConfig(tb, dir, tb.registry, { extraYaml: '  maxImageGiB: 0.0001' }));
  env.METRICS_PORT = 'off';
  worker = startTsx('workers/main.ts', env);
  workerOut = collectLines(worker);
  await workerOut.waitFor(/worker ready/, 60_000);
});

afterAll(async () => {
  worker?.kill('SIGTERM');
  await worker?.catch(() => undefined);
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the build host protects its disk', () => {
  it('reads the image size from the registry and refuses an oversized image before pulling it', async () => {
    const run = await execa('node', ['bin/bootc-iso.js', 'build', '--preset', 'demo', '--json'], {
      env,
      extendEnv: true,
      reject: false,
      cwd: REPO_ROOT,
      timeout: 120_000,
    });
    const json = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
      error?: { code: string; message: string };
    };
    expect(run.exitCode).toBe(1);
    expect(json.error?.code).toBe('INVALID_REQUEST');
    expect(json.error?.message).toMatch(
      /bootc\/(demo-os|bib-standin):1 is [0-9.]+ MiB compressed, over the 0\.0001 GiB/,
    );
    // Every size is read before any pull, so not even an image under the limit would be pulled for a refused
    // build; the worker's readiness check pulls its builders through the same limit, and reports the refusal.
    await workerOut.waitFor(/builder standin.*over the 0\.0001 GiB build hosts accept/, 60_000);
    const { stdout } = await podman(tb.podman, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    const pulled = stdout.split('\n').filter((l) => /demo-os|bib-standin/.test(l)).length;
    console.log(`oversized images pulled: ${pulled}`);
    if (pulled !== 0) console.log(JSON.stringify(stdout));
    expect(pulled).toBe(0);
    expect(workerOut.lines.some((l) => l.includes('image size from the registry'))).toBe(true);
  });
});
