import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBootTest } from '../../../../workers/boot-test/boot-test-for-build.ts';
import { chooseAccel, qemuArgs } from '../../../../workers/boot-test/qemu-args.ts';
import {
  type BootTestReason,
  type BootTestResult,
  bootTestError,
  wantsBootTest,
} from '../../../../workers/boot-test/run-boot-test.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qemu-args-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('QEMU arguments', () => {
  it('boot the ISO as a CD-ROM with the serial console in a file, no display, no reboot', () => {
    const args = qemuArgs({
      iso: '/w/a,b.iso',
      serialLog: '/w/serial.log',
      accel: 'tcg',
      memoryMiB: 512,
      cpus: 2,
    });
    expect(args).toEqual([
      '-accel',
      'tcg',
      '-m',
      '512',
      '-smp',
      '2',
      '-drive',
      'file=/w/a,,b.iso,media=cdrom,readonly=on',
      '-boot',
      'd',
      '-display',
      'none',
      '-nic',
      'none',
      '-chardev',
      'file,id=serial0,path=/w/serial.log',
      '-serial',
      'chardev:serial0',
      '-monitor',
      'none',
      '-no-reboot',
    ]);
  });

  it('install: the ISO as the boot CD-ROM and the scratch disk as the first virtio disk', () => {
    const args = qemuArgs({
      iso: '/w/install.iso',
      disk: '/w/d,isk.qcow2',
      serialLog: '/w/install.log',
      accel: 'tcg',
      memoryMiB: 1024,
      cpus: 1,
    });
    expect(args.slice(6, 12)).toEqual([
      '-drive',
      'file=/w/install.iso,media=cdrom,readonly=on',
      '-drive',
      'file=/w/d,,isk.qcow2,if=virtio,format=qcow2',
      '-boot',
      'd',
    ]);
    expect(args).toContain('-no-reboot');
  });

  it('installed disk: the scratch disk alone, booted as a hard disk, no network', () => {
    const args = qemuArgs({
      disk: '/w/d.qcow2',
      serialLog: '/w/s.log',
      accel: 'tcg',
      memoryMiB: 512,
      cpus: 1,
    });
    expect(args.filter((a) => a.includes('cdrom'))).toEqual([]);
    expect(args.slice(6, 10)).toEqual(['-drive', 'file=/w/d.qcow2,if=virtio,format=qcow2', '-boot', 'c']);
    expect(args.join(' ')).toContain('-nic none');
  });

  it('refuse to build a machine with nothing to boot', () => {
    expect(() => qemuArgs({ serialLog: '/s', accel: 'tcg', memoryMiB: 512, cpus: 1 })).toThrow(
      /nothing to boot/,
    );
  });

  it('use the host CPU under KVM', () => {
    const args = qemuArgs({ iso: '/i', serialLog: '/s', accel: 'kvm', memoryMiB: 2048, cpus: 1 });
    expect(args.slice(0, 4)).toEqual(['-accel', 'kvm', '-cpu', 'host']);
  });
});

describe('choosing the accelerator', () => {
  it('takes KVM when the device can be opened read-write, else software emulation', async () => {
    const device = join(dir, 'kvm');
    expect(await chooseAccel('auto', device)).toBe('tcg');
    await writeFile(device, '');
    expect(await chooseAccel('auto', device)).toBe('kvm');
    expect(await chooseAccel('tcg', device)).toBe('tcg');
    expect(await chooseAccel('kvm', join(dir, 'missing'))).toBe('kvm');
  });
});

describe('which builds are boot-tested', () => {
  const presets = { on: { bootTest: true }, off: {} };
  it.each([
    [{}, false],
    [{ preset: 'on' }, true],
    [{ preset: 'off' }, false],
    [{ preset: 'constructor' }, false],
    [{ preset: 'off', bootTest: true }, true],
    [{ preset: 'on', bootTest: false }, false],
  ])('%j → %s', (request, expected) => {
    expect(wantsBootTest(request, presets)).toBe(expected);
  });
});

describe('the boot test failure', () => {
  const failed = (mode: 'boot' | 'install', reason: BootTestReason): BootTestResult => ({
    mode,
    passed: false,
    reason,
    logPath: '/l',
    logs: ['/l'],
    tail: 'a\nb',
    accel: 'tcg',
    seconds: 9,
  });

  it('is BOOT_TEST_FAILED, not retryable, with the console tail', () => {
    const e = bootTestError(failed('boot', 'timeout'), 'login:');
    expect(e.code).toBe('BOOT_TEST_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/"login:" did not appear on the serial console within/);
    expect(e.logTail).toEqual(['a', 'b']);
    const stopped = bootTestError(failed('boot', 'no-marker'), 'x');
    expect(stopped.message).toMatch(/stopped without printing "x"/);
  });

  it('says which part of the install test failed, each in its own words', () => {
    const messages = (
      ['install-timeout', 'no-login', 'login-timeout', 'qemu-failed', 'install-failed'] as const
    ).map((reason) => bootTestError(failed('install', reason), 'login:').message);
    expect(messages[0]).toBe(
      'the ISO did not pass the install test: the installation did not finish: the install machine had not powered off within the install time limit',
    );
    expect(messages[1]).toMatch(
      /installation finished but the installed disk does not boot: .*stopped without printing "login:"/,
    );
    expect(messages[2]).toMatch(
      /installation finished but the installed disk does not boot: "login:" did not appear/,
    );
    expect(messages[3]).toMatch(/install test: QEMU failed/);
    expect(messages[4]).toMatch(
      /installation did not finish: the install machine restarted or its kernel panicked/,
    );
    expect(new Set(messages).size).toBe(5);
  });

  it('is described in one line for Slack and the CLI', () => {
    expect(describeBootTest({ ...failed('install', 'login'), passed: true })).toBe(
      'install test passed in 9 s: installed, and the installed disk booted to a login prompt (software emulation)',
    );
    expect(describeBootTest(failed('install', 'install-timeout'))).toMatch(
      /installation did not finish in time/,
    );
    expect(describeBootTest(failed('install', 'login-timeout'))).toMatch(/did not boot to a login prompt/);
    expect(describeBootTest(failed('install', 'no-login'))).toMatch(/did not boot to a login prompt/);
    expect(describeBootTest(failed('install', 'install-failed'))).toMatch(
      /restarted or panicked instead of powering off/,
    );
    expect(describeBootTest(failed('install', 'qemu-failed'))).toBe(
      'install test failed: QEMU failed (software emulation)',
    );
    expect(describeBootTest({ ...failed('boot', 'marker'), passed: true, accel: 'kvm' })).toBe(
      'boot test passed in 9 s (KVM)',
    );
  });
});
