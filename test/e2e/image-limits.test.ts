import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eHost, startE2eHost } from '../support/e2e-host.ts';
import { REPO_ROOT } from '../support/run-process.ts';
import { podman } from '../testbed/index.ts';

let host: E2eHost;

beforeAll(async () => {
  host = await startE2eHost({
    name: 'image-limits',
    tools: ['skopeo'],
    // About 100 KiB: smaller than any image of the testbed.
    config: { extraYaml: '  maxImageGiB: 0.0001' },
    beforeWorker: (_dir, env) => {
      env.METRICS_PORT = 'off';
    },
  });
});

afterAll(() => host?.stop());

describe('the build host protects its disk', () => {
  it('reads the image size from the registry and refuses an oversized image before pulling it', async () => {
    const run = await execa('node', ['bin/bootc-iso.js', 'build', '--preset', 'demo', '--json'], {
      env: host.env,
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
    await host.workerOut.waitFor(/builder standin.*over the 0\.0001 GiB build hosts accept/, 60_000);
    const { stdout } = await podman(host.tb.podman, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    const pulled = stdout.split('\n').filter((l) => /demo-os|bib-standin/.test(l)).length;
    console.log(`oversized images pulled: ${pulled}`);
    if (pulled !== 0) console.log(JSON.stringify(stdout));
    expect(pulled).toBe(0);
    expect(host.workerOut.lines.some((l) => l.includes('image size from the registry'))).toBe(true);
  });
});
