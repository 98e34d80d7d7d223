import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBootTestSettings } from '../../src/config/file-schema.ts';
import {
  BOOT_TEST_INSTALL_LOG,
  BOOT_TEST_LOG,
  bootTestForBuild,
  describeBootTest,
} from '../../workers/boot-test/boot-test-for-build.ts';
import { runInstallTest, SCRATCH_DISK } from '../../workers/boot-test/run-install-test.ts';
import { removeDebianKernel, requireBootIsoTools } from '../testbed/boot-iso.ts';
import { INSTALLED_HOSTNAME, makeInstallerIso } from '../testbed/install-iso.ts';
import { findTool } from '../testbed/tools.ts';
import { makeTempDir } from '../testbed/util.ts';

// Real QEMU under software emulation installing from stand-in installer ISOs (a busybox /init that writes a
// bootable system to the first disk and powers off) and booting the installed disk.
let installs: string;
let unbootable: string;
let hangs: string;
let panics: string;
const dirs: string[] = [];
const figures: string[] = [];

const settings = () => ({
  ...defaultBootTestSettings(),
  accel: 'tcg' as const,
  memoryMiB: 384,
  cpus: 1,
  installTimeoutSeconds: 90,
  loginTimeoutSeconds: 60,
  diskGiB: 1,
});

const workDir = async () => {
  const dir = await makeTempDir('install-test');
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  requireBootIsoTools();
  if (!findTool('qemu-img'))
    throw new Error('the install test needs qemu-img: apt-get install -y qemu-utils');
  installs = await makeInstallerIso('installs');
  unbootable = await makeInstallerIso('unbootable-disk');
  hangs = await makeInstallerIso('hangs');
  panics = await makeInstallerIso('panics');
});

afterAll(async () => {
  for (const dir of [
    ...dirs,
    ...[installs, unbootable, hangs, panics].filter(Boolean).map((iso) => join(iso, '..')),
  ])
    await rm(dir, { recursive: true, force: true });
  await removeDebianKernel();
  process.stdout.write(`install test outcomes under emulation: ${figures.join(', ')}\n`);
});

describe('install test in QEMU', () => {
  it('passes when the installer powers off and the installed disk boots to a login prompt', async () => {
    const dir = await workDir();
    const { result, failure } = await bootTestForBuild({
      iso: installs,
      workDir: dir,
      settings: settings(),
      mode: 'install',
    });
    expect(failure).toBeUndefined();
    expect(result).toMatchObject({ mode: 'install', passed: true, reason: 'login', accel: 'tcg' });
    expect(result.logs).toEqual([join(dir, BOOT_TEST_INSTALL_LOG), join(dir, BOOT_TEST_LOG)]);
    const installLog = await readFile(join(dir, BOOT_TEST_INSTALL_LOG), 'utf8');
    expect(installLog).toContain('stand-in installer: installation complete, powering off');
    expect(installLog).toContain('reboot: Power down');
    const diskLog = await readFile(join(dir, BOOT_TEST_LOG), 'utf8');
    // The disk's own boot: isolinux from the hard disk, then the installed system's getty.
    expect(diskLog).toContain('ISOLINUX');
    expect(diskLog).not.toContain('stand-in installer');
    expect(diskLog).toContain(`${INSTALLED_HOSTNAME} login:`);
    expect(describeBootTest(result)).toMatch(
      /^install test passed in [\d.]+ s: installed, and the installed disk/,
    );
    // The scratch disk is gone; the logs stay for publishing.
    expect(existsSync(join(dir, SCRATCH_DISK))).toBe(false);
    expect((await readdir(dir)).sort()).toEqual([BOOT_TEST_INSTALL_LOG, BOOT_TEST_LOG]);
    expect(result.seconds).toBeLessThan(90);
    figures.push(`pass in ${result.seconds} s`);
  });

  it('fails with login-timeout when the installer powered off but the disk it wrote does not boot', async () => {
    const dir = await workDir();
    const { result, failure } = await bootTestForBuild({
      iso: unbootable,
      workDir: dir,
      settings: { ...settings(), loginTimeoutSeconds: 12 },
      mode: 'install',
    });
    expect(result).toMatchObject({ passed: false, reason: 'login-timeout' });
    expect(result.logs).toHaveLength(2);
    expect(await readFile(join(dir, BOOT_TEST_INSTALL_LOG), 'utf8')).toContain('installation complete');
    // The firmware found no boot sector: nothing of a system reached the serial console.
    expect(await readFile(join(dir, BOOT_TEST_LOG), 'utf8')).not.toContain('Linux version');
    expect(failure).toMatchObject({ code: 'BOOT_TEST_FAILED' });
    expect(failure?.message).toMatch(/installation finished but the installed disk does not boot/);
    expect(existsSync(join(dir, SCRATCH_DISK))).toBe(false);
    figures.push(`unbootable disk in ${result.seconds} s`);
  });

  it('fails with install-timeout when the installer never powers off, without booting the disk', async () => {
    const dir = await workDir();
    const r = await runInstallTest({
      ...settings(),
      qemu: findTool('qemu-system-x86_64') as string,
      qemuImg: findTool('qemu-img') as string,
      iso: hangs,
      workDir: dir,
      installLogPath: join(dir, 'install.log'),
      logPath: join(dir, 'disk.log'),
      installTimeoutSeconds: 12,
      pollMs: 100,
    });
    expect(r).toMatchObject({ passed: false, reason: 'install-timeout', logPath: join(dir, 'install.log') });
    expect(r.logs).toEqual([join(dir, 'install.log')]);
    expect(r.seconds).toBeGreaterThanOrEqual(12);
    expect(r.seconds).toBeLessThan(30);
    expect(existsSync(join(dir, 'disk.log'))).toBe(false);
    expect(existsSync(join(dir, SCRATCH_DISK))).toBe(false);
    figures.push(`install timeout in ${r.seconds} s`);
  });

  it('fails with install-failed when the installer panics and restarts instead of powering off, without booting the disk', async () => {
    const dir = await workDir();
    const { result, failure } = await bootTestForBuild({
      iso: panics,
      workDir: dir,
      settings: settings(),
      mode: 'install',
    });
    expect(result).toMatchObject({
      passed: false,
      reason: 'install-failed',
      logs: [join(dir, BOOT_TEST_INSTALL_LOG)],
    });
    expect(await readFile(join(dir, BOOT_TEST_INSTALL_LOG), 'utf8')).toContain('Kernel panic - not syncing');
    expect(failure?.message).toMatch(
      /installation did not finish: the install machine restarted or its kernel panicked/,
    );
    expect(existsSync(join(dir, BOOT_TEST_LOG))).toBe(false);
    expect(existsSync(join(dir, SCRATCH_DISK))).toBe(false);
    figures.push(`installer panic in ${result.seconds} s`);
  });

  it('stops QEMU, removes the scratch disk and throws CANCELLED when the build is cancelled', async () => {
    const dir = await workDir();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1500);
    const running = bootTestForBuild({
      iso: hangs,
      workDir: dir,
      settings: settings(),
      mode: 'install',
      signal: controller.signal,
    });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(existsSync(join(dir, SCRATCH_DISK))).toBe(false);
  });

  it('fails with qemu-failed, naming the problem, when the scratch disk cannot be made', async () => {
    const dir = await workDir();
    const { result, failure } = await bootTestForBuild({
      iso: installs,
      workDir: join(dir, 'missing-dir'),
      settings: settings(),
      mode: 'install',
    });
    expect(result).toMatchObject({ passed: false, reason: 'qemu-failed', logs: [] });
    expect(result.tail).toMatch(/missing-dir/);
    expect(failure?.message).toMatch(/install test: QEMU failed/);
  });
});
