import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { collectLines, startTsx } from '../support/run-process.ts';
import { removeDebianKernel } from '../testbed/boot-iso.ts';
import { buildStandInBuilder, pushImage } from '../testbed/images.ts';
import {
  podman,
  requireTools,
  STANDIN_FEATURES,
  startTestbed,
  TESTBED_TOOLS,
  type Testbed,
} from '../testbed/index.ts';
import { writeStandinBootKit } from '../testbed/install-iso.ts';

// Builds through the real worker with a stand-in builder whose ISOs boot (isolinux, a kernel and a busybox installer
// that follows the kickstart), then the install test in real QEMU under software emulation.
const AUTH = { username: 'installer', password: 'e2e-Inst4ll-Pa55' };
let tb: Testbed;
let dir: string;
let env: Record<string, string>;
let worker: ReturnType<typeof startTsx>;
const figures: string[] = [];

const cli = (args: string[]) =>
  execa('node', ['bin/bootc-iso.js', ...args], { env, extendEnv: true, reject: false });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');

beforeAll(async () => {
  requireTools([...TESTBED_TOOLS, 'qemu-system-x86_64', 'qemu-img']);
  tb = await startTestbed({ registryUser: AUTH.username, registryPassword: AUTH.password });
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-e2e-install-'));
  const local = 'localhost/bootc-iso-testbed/bib-standin:bootable';
  const bootable = `${tb.registry.host}/bootc/bib-standin:bootable`;
  const kit = await writeStandinBootKit(join(dir, 'boot-kit'));
  await buildStandInBuilder(tb.podman, local, { features: [...STANDIN_FEATURES], bootKit: kit });
  await pushImage(tb.podman, local, bootable, AUTH);
  await podman(tb.podman, ['rmi', '--force', local]);
  await rm(kit, { recursive: true });
  ({ env } = await writeE2eConfig(tb, dir, AUTH, {
    extraYaml: [
      'bootTest:',
      '  accel: tcg',
      '  memoryMiB: 384',
      '  cpus: 1',
      '  timeoutSeconds: 60',
      '  installTimeoutSeconds: 90',
      '  loginTimeoutSeconds: 20',
      '  diskGiB: 1',
    ].join('\n'),
  }));
  // Every preset builds with the bootable builder.
  const config = join(dir, 'bootc-iso.yaml');
  await writeFile(config, (await readFile(config, 'utf8')).replaceAll(tb.builderRef, bootable));
  worker = startTsx('workers/main.ts', { ...env, METRICS_PORT: 'off' });
  await collectLines(worker).waitFor(/worker ready/, 60_000);
}, 300_000);

afterAll(async () => {
  worker?.kill('SIGTERM');
  await worker?.catch(() => undefined);
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  await removeDebianKernel();
  process.stdout.write(`install test through the worker: ${figures.join(', ')}\n`);
});

const buildWith = async (name: string, kickstart: string) => {
  const file = join(dir, `${name}.ks`);
  await writeFile(file, kickstart);
  const started = Date.now();
  const run = await cli(['build', '--preset', 'demo', '--kickstart', file, '--boot-test', '--json']);
  figures.push(`${name}: ${Math.round((Date.now() - started) / 1000)} s`);
  return { run, out: lastJson(run.stdout) };
};

describe('the install test of a build whose kickstart powers off', () => {
  it('passes when the installed disk boots to a login prompt, publishing and checksumming both consoles', async () => {
    const { run, out } = await buildWith('installs', 'text\npoweroff\n');
    expect(run.exitCode, run.stderr).toBe(0);
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const manifest = JSON.parse(await store.getObjectText(`builds/${out.buildId}/manifest.json`));
    expect(manifest.bootTest).toMatchObject({ mode: 'install', passed: true, reason: 'login', accel: 'tcg' });
    const sums = await store.getObjectText(`builds/${out.buildId}/SHA256SUMS`);
    expect(sums).toContain(`${out.buildId}-boot-test-install.log`);
    expect(sums).toContain(`${out.buildId}-boot-test.log`);
    expect(await store.getObjectText(`builds/${out.buildId}/boot-test-install.log`)).toContain(
      'stand-in installer: installation complete, powering off',
    );
    expect(await store.getObjectText(`builds/${out.buildId}/boot-test.log`)).toContain(
      'standin-installed login:',
    );
  });

  it('fails with BOOT_TEST_FAILED saying the installed disk does not boot, keeping both consoles', async () => {
    const { run, out } = await buildWith('unbootable', '# bib-standin: unbootable-disk\ntext\nshutdown\n');
    expect(run.exitCode).toBe(1);
    expect(out.error.code).toBe('BOOT_TEST_FAILED');
    expect(out.error.message).toMatch(
      /install test: the installation finished but the installed disk does not boot/,
    );
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const stored: string[] = [];
    for await (const key of store.listKeys(`builds/${out.buildId}/`)) stored.push(key);
    expect(stored.filter((k) => k.endsWith('.iso'))).toEqual([]);
    expect(await store.headObject(`builds/${out.buildId}/boot-test-install.log`)).toBeDefined();
    expect(await store.headObject(`builds/${out.buildId}/boot-test.log`)).toBeDefined();
  });

  it('a kickstart that reboots gets the boot test: the installer kernel starting passes', async () => {
    const { run, out } = await buildWith('reboots', 'text\nreboot\n');
    expect(run.exitCode, run.stderr).toBe(0);
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const manifest = JSON.parse(await store.getObjectText(`builds/${out.buildId}/manifest.json`));
    expect(manifest.bootTest).toMatchObject({ mode: 'boot', passed: true, reason: 'marker' });
    expect(await store.headObject(`builds/${out.buildId}/boot-test-install.log`)).toBeUndefined();
  });
});
