import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../workers/doctor/checks.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { collectLines, REPO_ROOT, startTsx } from '../support/run-process.ts';
import { freePort, requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

// `bootc-iso doctor` on this host against the testbed's registry (htpasswd auth) and stand-in builder image.

let tb: Testbed;
let dir: string;

function doctor(env: Record<string, string>, args: string[] = []) {
  return execa('node', ['bin/bootc-iso.js', 'doctor', ...args], {
    env,
    extendEnv: true,
    reject: false,
    cwd: REPO_ROOT,
  });
}

async function configFor(name: string, password: string): Promise<Record<string, string>> {
  const at = join(dir, name);
  await execa('mkdir', ['-p', join(at, 'work')]);
  const { env } = await writeE2eConfig(tb, at, { username: tb.registry.username, password });
  return env;
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-doctor-'));
}, 240_000);

afterAll(async () => {
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bootc-iso doctor', () => {
  it('with good credentials: the registry login, the builder pull and a container all pass', async () => {
    const run = await doctor(await configFor('good', tb.registry.password), ['--json']);
    const results = JSON.parse(run.stdout) as CheckResult[];
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName[`registry ${tb.registry.host}`]).toMatchObject({
      status: 'ok',
      detail: `login as ${tb.registry.username} accepted`,
    });
    expect(byName['builder standin']?.status).toBe('ok');
    expect(byName.container).toMatchObject({ status: 'ok', detail: expect.stringContaining(tb.builderRef) });
    expect(byName.root?.status).toBe('ok');
    expect(byName.podman?.status).toBe('ok');
    // The exit code follows the checks: 1 exactly when one failed (this machine may lack e.g. loop devices).
    expect(run.exitCode).toBe(results.some((r) => r.status === 'fail') ? 1 : 0);
    // The password never reaches the output.
    expect(`${run.stdout}${run.stderr}`).not.toContain(tb.registry.password);
  }, 180_000);

  it('with a wrong password: the registry check fails with the fix, the pull fails, and the exit code is 1', async () => {
    const run = await doctor(await configFor('bad', 'not-the-password'));
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.split('\n');
    const registry = lines.find((l) => l.includes(`registry ${tb.registry.host}:`));
    expect(registry).toMatch(
      /^fail registry .*authentication failed.* → fix registries\.".*"\.username and password\/passwordFile/,
    );
    expect(lines.find((l) => l.includes('builder standin:'))).toMatch(/^fail /);
    expect(run.stdout).not.toContain('not-the-password');
  }, 180_000);

  it('a builder image that does not exist is reported as not found (real podman output), with the fix', async () => {
    const env = await configFor('missing', tb.registry.password);
    const configPath = env.BOOTC_ISO_CONFIG as string;
    const yaml = await readFile(configPath, 'utf8');
    await writeFile(
      configPath,
      yaml.replace(`image: "${tb.builderRef}"`, `image: "${tb.builderRef}-missing-404"`),
    );
    const run = await doctor(env, ['--json']);
    expect(run.exitCode).toBe(1);
    const builder = (JSON.parse(run.stdout) as CheckResult[]).find((r) => r.name === 'builder standin');
    expect(builder).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('fix builders.standin.image'),
    });
    expect(builder?.detail).toContain('image not found');
  }, 180_000);

  it('runs at worker start too: one log line per check, and the verdict in /readyz', async () => {
    const port = await freePort();
    const env = { ...(await configFor('worker', 'not-the-password')), METRICS_PORT: String(port) };
    const worker = startTsx('workers/main.ts', env);
    const out = collectLines(worker);
    try {
      await out.waitFor(/worker ready/, 60_000);
      const done = await out.waitFor(/host checks done/, 120_000);
      expect(done).toContain('"fail":');
      const failed = out.lines.find(
        (l) => l.includes('host check failed') && l.includes(`registry ${tb.registry.host}`),
      );
      expect(failed).toContain('username and password/passwordFile');
      const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { hostChecks: string };
      expect(ready.hostChecks).toMatch(/^\d+ ok, \d+ warn, [1-9]\d* fail \(.*registry .*\)$/);
      expect(out.lines.join('\n')).not.toContain('not-the-password');
    } finally {
      worker.kill('SIGTERM');
      await worker;
    }
  }, 180_000);
});
