import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { AppError } from '../../src/domain/errors.ts';
import { type BootMachine, chooseAccel } from './qemu-args.ts';
import { type QemuRunOutcome, runQemu } from './qemu-run.ts';
import {
  type BootTestReason,
  type BootTestResult,
  kvmCouldNotRun,
  kvmNote,
  secondsSince,
} from './run-boot-test.ts';

export interface InstallTestOptions extends BootMachine {
  iso: string;
  /** Holds the scratch disk while the test runs; it is removed afterwards. */
  workDir: string;
  /** The installer's serial console. */
  installLogPath: string;
  /** The installed disk's serial console. */
  logPath: string;
  /** Passing means this text appears on the installed disk's console. */
  loginMarker: string;
  installTimeoutSeconds: number;
  loginTimeoutSeconds: number;
  diskGiB: number;
  qemu: string;
  qemuImg: string;
  signal?: AbortSignal;
  pollMs?: number;
}

/** The scratch disk's name in the work dir. */
export const SCRATCH_DISK = 'boot-test-disk.qcow2';

/**
 * The install test, for an ISO whose kickstart installs unattended and powers off: boot it with an empty scratch
 * disk and wait for the machine to power off by itself (the installation finished) within the install limit, then
 * boot the scratch disk alone and wait for the login marker on its serial console within the login limit. The disk
 * is removed afterwards, whatever happened. An install machine whose console shows it restarted or panicked rather
 * than powered off is `install-failed`, and its disk is not booted.
 */
export async function runInstallTest(o: InstallTestOptions): Promise<BootTestResult> {
  const disk = join(o.workDir, SCRATCH_DISK);
  const started = Date.now();
  // Which consoles exist: none before the install machine ran, the installer's, then the installed disk's too.
  const result = (
    reason: BootTestReason,
    accel: 'kvm' | 'tcg',
    ran: 0 | 1 | 2,
    run: QemuRunOutcome | undefined,
    extra = '',
  ): BootTestResult => ({
    mode: 'install',
    passed: reason === 'login',
    reason,
    logPath: ran === 2 ? o.logPath : o.installLogPath,
    logs: [o.installLogPath, o.logPath].slice(0, ran),
    tail: [run?.tail, run?.qemuSaid, extra].filter(Boolean).join('\n'),
    accel,
    seconds: secondsSince(started),
  });
  const machine = {
    qemu: o.qemu,
    memoryMiB: o.memoryMiB,
    cpus: o.cpus,
    during: 'the install test',
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
  };
  try {
    let accel = await chooseAccel(o.accel);
    const created = await createDisk(o, disk);
    if (created) return result('qemu-failed', accel, 0, undefined, created);
    const installDeadline = Date.now() + o.installTimeoutSeconds * 1000;
    const installOn = (a: 'kvm' | 'tcg') =>
      runQemu({
        ...machine,
        accel: a,
        iso: o.iso,
        disk,
        logPath: o.installLogPath,
        deadline: installDeadline,
      });
    let install = await installOn(accel);
    let note: string | undefined;
    if (kvmCouldNotRun(o.accel, accel, install)) {
      note = kvmNote(install);
      accel = 'tcg';
      install = await installOn(accel);
    }
    const noted = (r: BootTestResult) => (note ? { ...r, note } : r);
    if (install.ended === 'timeout') return noted(result('install-timeout', accel, 1, install));
    if (install.qemuFailed) return noted(result('qemu-failed', accel, 1, install));
    if (endedWithoutPoweroff(install.recent)) return noted(result('install-failed', accel, 1, install));
    const boot = await runQemu({
      ...machine,
      accel,
      disk,
      logPath: o.logPath,
      marker: o.loginMarker,
      deadline: Date.now() + o.loginTimeoutSeconds * 1000,
    });
    const reason: BootTestReason =
      boot.ended === 'marker'
        ? 'login'
        : boot.ended === 'timeout'
          ? 'login-timeout'
          : boot.qemuFailed
            ? 'qemu-failed'
            : 'no-login';
    return noted(result(reason, accel, 2, boot));
  } finally {
    await rm(disk, { force: true });
  }
}

/**
 * QEMU runs with -no-reboot, so an installer that restarts (or whose kernel panics, then restarts) ends the machine
 * as a power-off does. When the console shows the kernel saying so, the installation did not complete. A console
 * that does not show the kernel (no console=ttyS0) cannot tell: the installed disk's boot then decides.
 */
export function endedWithoutPoweroff(consoleText: string): boolean {
  return /Kernel panic - not syncing|reboot: Restarting system/.test(consoleText);
}

/** Makes the empty scratch disk; returns qemu-img's complaint when it could not. */
async function createDisk(o: InstallTestOptions, disk: string): Promise<string | undefined> {
  const r = await execa(o.qemuImg, ['create', '-q', '-f', 'qcow2', disk, `${o.diskGiB}G`], {
    stdin: 'ignore',
    reject: false,
    all: true,
    timeout: 60_000,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    extendEnv: false,
    ...(o.signal ? { cancelSignal: o.signal } : {}),
  });
  if (r.isCanceled) throw new AppError('CANCELLED', 'the build was cancelled during the install test');
  return r.failed ? `${r.shortMessage}\n${String(r.all ?? '').trim()}`.slice(-2000) : undefined;
}
