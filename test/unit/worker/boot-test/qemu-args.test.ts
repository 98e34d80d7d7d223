import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseAccel, qemuArgs } from '../../../../workers/boot-test/qemu-args.ts';
import { bootTestError, wantsBootTest } from '../../../../workers/boot-test/run-boot-test.ts';

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
      '-chardev',
      'file,id=serial0,path=/w/serial.log',
      '-serial',
      'chardev:serial0',
      '-monitor',
      'none',
      '-no-reboot',
    ]);
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
  it('is BOOT_TEST_FAILED, not retryable, with the console tail', () => {
    const e = bootTestError(
      { passed: false, reason: 'timeout', logPath: '/l', tail: 'a\nb', accel: 'tcg', seconds: 9 },
      'login:',
    );
    expect(e.code).toBe('BOOT_TEST_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/"login:" did not appear on the serial console within/);
    expect(e.logTail).toEqual(['a', 'b']);
    const stopped = bootTestError(
      { passed: false, reason: 'no-marker', logPath: '/l', tail: '', accel: 'tcg', seconds: 1 },
      'x',
    );
    expect(stopped.message).toMatch(/stopped without printing "x"/);
  });
});
