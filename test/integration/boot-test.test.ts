import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBootTestSettings } from '../../src/config/file-schema.ts';
import { bootTestForBuild, describeBootTest } from '../../workers/boot-test/boot-test-for-build.ts';
import { DEFAULT_BOOT_MARKER, runBootTest } from '../../workers/boot-test/run-boot-test.ts';
import { makeBootIso, removeDebianKernel, requireBootIsoTools } from '../testbed/boot-iso.ts';
import { findTool } from '../testbed/tools.ts';
import { makeTempDir } from '../testbed/util.ts';

// Real QEMU under software emulation (forced, so the figures hold on hosts with KVM too) booting real ISOs made from
// a Debian kernel and a busybox initramfs.
const MARKER = 'BOOTC-ISO-BOOT-TEST-OK';
let printsMarker: string;
let printsOther: string;
let hangs: string;
let logs: string;
const seen: string[] = [];

const machine = () => ({
  accel: 'tcg' as const,
  memoryMiB: 512,
  cpus: 1,
  qemu: findTool('qemu-system-x86_64') as string,
  pollMs: 100,
});

beforeAll(async () => {
  requireBootIsoTools();
  logs = await makeTempDir('boot-logs');
  printsMarker = await makeBootIso({ prints: MARKER });
  printsOther = await makeBootIso({ prints: 'SOMETHING-ELSE' });
  hangs = await makeBootIso({ prints: 'STILL-WAITING', afterwards: 'hang' });
});

afterAll(async () => {
  for (const iso of [printsMarker, printsOther, hangs])
    if (iso) await rm(join(iso, '..'), { recursive: true });
  if (logs) await rm(logs, { recursive: true, force: true });
  await removeDebianKernel();
  process.stdout.write(`boot test outcomes seen under emulation: ${seen.join(', ')}\n`);
});

describe('boot test in QEMU', () => {
  it('passes when the configured marker appears on the serial console', async () => {
    const logPath = join(logs, 'pass.log');
    const r = await runBootTest({
      ...machine(),
      iso: printsMarker,
      logPath,
      marker: MARKER,
      timeoutSeconds: 90,
    });
    expect(r).toMatchObject({ passed: true, reason: 'marker', accel: 'tcg', logPath });
    expect(r.tail).toContain(MARKER);
    expect(await readFile(logPath, 'utf8')).toContain('Linux version');
    expect(r.seconds).toBeLessThan(60);
    seen.push('pass');
  });

  it('passes on the default marker: the kernel has booted', async () => {
    const r = await runBootTest({
      ...machine(),
      iso: printsOther,
      logPath: join(logs, 'default.log'),
      marker: DEFAULT_BOOT_MARKER,
      timeoutSeconds: 90,
    });
    expect(r).toMatchObject({ passed: true, reason: 'marker' });
  });

  it('fails with no-marker when the machine powers off without printing it', async () => {
    const logPath = join(logs, 'fail.log');
    const r = await runBootTest({
      ...machine(),
      iso: printsOther,
      logPath,
      marker: MARKER,
      timeoutSeconds: 90,
    });
    expect(r).toMatchObject({ passed: false, reason: 'no-marker' });
    // The kernel did boot and the initramfs ran: the failure is the missing marker, not a broken machine.
    expect(await readFile(logPath, 'utf8')).toContain('Linux version');
    expect(r.tail).toContain('SOMETHING-ELSE');
    expect(r.tail).toContain('Power down');
    seen.push('fail (no-marker)');
  });

  it('times out when the marker never comes and the machine keeps running', async () => {
    const logPath = join(logs, 'timeout.log');
    const r = await runBootTest({ ...machine(), iso: hangs, logPath, marker: MARKER, timeoutSeconds: 15 });
    expect(r).toMatchObject({ passed: false, reason: 'timeout' });
    expect(r.seconds).toBeGreaterThanOrEqual(15);
    expect(r.seconds).toBeLessThan(35);
    // The machine was running when time ran out (how far it got depends on the host's load).
    expect(await readFile(logPath, 'utf8')).toContain('ISOLINUX');
    seen.push('timeout');
  });

  it('as a build step: host settings, boot-test.log in the work dir, BOOT_TEST_FAILED with the tail', async () => {
    const settings = { ...defaultBootTestSettings(), accel: 'tcg' as const, memoryMiB: 512, cpus: 1 };
    const passed = await bootTestForBuild({ iso: printsOther, workDir: logs, settings });
    expect(passed.failure).toBeUndefined();
    expect(passed.result.logPath).toBe(join(logs, 'boot-test.log'));
    expect(describeBootTest(passed.result)).toMatch(/^boot test passed in [\d.]+ s \(software emulation\)$/);
    const failed = await bootTestForBuild({
      iso: printsOther,
      workDir: logs,
      settings: { ...settings, marker: MARKER },
    });
    expect(failed.failure).toMatchObject({ code: 'BOOT_TEST_FAILED' });
    expect(failed.failure?.logTail.join('\n')).toContain('SOMETHING-ELSE');
  });

  it('with accel auto, boots even where /dev/kvm opens but cannot run a machine (software emulation then)', async () => {
    const r = await runBootTest({
      ...machine(),
      accel: 'auto',
      iso: printsMarker,
      logPath: join(logs, 'auto.log'),
      marker: MARKER,
      timeoutSeconds: 90,
    });
    expect(r).toMatchObject({ passed: true, reason: 'marker' });
    // Whichever way it went, a fallback is said: a KVM boot has no note, a software one after KVM failed has.
    if (r.accel === 'tcg' && existsSync('/dev/kvm')) expect(r.note).toMatch(/^KVM could not run the machine/);
    process.stdout.write(`boot test with accel auto: ${r.accel}${r.note ? ` (${r.note})` : ''}\n`);
  });

  it('reports QEMU failing to start as no-marker with its message', async () => {
    const r = await runBootTest({
      ...machine(),
      iso: join(logs, 'does-not-exist.iso'),
      logPath: join(logs, 'broken.log'),
      marker: MARKER,
      timeoutSeconds: 30,
    });
    expect(r).toMatchObject({ passed: false, reason: 'no-marker' });
    expect(r.tail).toMatch(/does-not-exist\.iso/);
  });

  it('stops QEMU and throws CANCELLED when the build is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1500);
    const running = runBootTest({
      ...machine(),
      iso: hangs,
      logPath: join(logs, 'cancel.log'),
      marker: MARKER,
      timeoutSeconds: 60,
      signal: controller.signal,
    });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
