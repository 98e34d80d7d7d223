import { AppError } from '../../src/domain/errors.ts';
import type { BootTestMode } from './boot-test-mode.ts';
import { TAIL_LINES } from './console-watch.ts';
import { type BootMachine, chooseAccel } from './qemu-args.ts';
import { type QemuRunOutcome, runQemu } from './qemu-run.ts';

/** What the kernel prints first on the console: the installer's kernel has started. */
export const DEFAULT_BOOT_MARKER = 'Linux version';

export interface BootTestOptions extends BootMachine {
  iso: string;
  /** Where the serial console is written; published as boot-test.log. */
  logPath: string;
  /** Passing means this text appears on the serial console. */
  marker: string;
  timeoutSeconds: number;
  /** The QEMU executable. */
  qemu: string;
  signal?: AbortSignal;
  /** How often the console log is read for the marker. */
  pollMs?: number;
}

/**
 * boot mode: marker: seen; no-marker: the machine stopped without printing it; timeout: still running without it.
 * install mode: login: the installed disk showed its prompt; install-timeout: the install machine was still running
 * at the install limit; install-failed: its console shows it restarted or panicked instead of powering off; no-login / login-timeout: the installed disk's machine stopped without the prompt, or did
 * not show it in time; qemu-failed: QEMU or qemu-img itself failed.
 */
export type BootTestReason =
  | 'marker'
  | 'no-marker'
  | 'timeout'
  | 'login'
  | 'install-timeout'
  | 'install-failed'
  | 'no-login'
  | 'login-timeout'
  | 'qemu-failed';

export interface BootTestResult {
  mode: BootTestMode;
  passed: boolean;
  reason: BootTestReason;
  /** The console of the last machine run (boot mode: the ISO's; install mode: the installed disk's). */
  logPath: string;
  /** Every console log written, in run order (install mode: the installer's, then the disk's). */
  logs: string[];
  /** Last lines of the console (and QEMU's own error when it could not start). */
  tail: string;
  accel: 'kvm' | 'tcg';
  seconds: number;
  /** Set when the boot did not run as configured (KVM unusable, so software emulation was used). */
  note?: string;
}

/**
 * Boots the ISO in QEMU with its serial console going to `logPath` and watches that file for the marker. QEMU is
 * stopped as soon as the marker appears, at the timeout, or when `signal` aborts (which throws CANCELLED).
 * With `accel: auto`, a KVM that cannot run the machine at all (QEMU fails before the console prints anything, as
 * in some nested or sandboxed hosts where /dev/kvm opens but does not work) is followed by a second boot under
 * software emulation within the same time limit, and the result's note says so.
 */
export async function runBootTest(o: BootTestOptions): Promise<BootTestResult> {
  const accel = await chooseAccel(o.accel);
  const started = Date.now();
  const first = await bootOnce(o, accel, started);
  if (!kvmCouldNotRun(o.accel, accel, first)) return toResult(o, accel, started, first);
  const second = await bootOnce(o, 'tcg', started);
  return { ...toResult(o, 'tcg', started, second), note: kvmNote(first) };
}

/** KVM was picked by `auto` and QEMU failed before the console showed anything: worth a software boot. */
export function kvmCouldNotRun(
  wanted: BootMachine['accel'],
  used: 'kvm' | 'tcg',
  run: QemuRunOutcome,
): boolean {
  return wanted === 'auto' && used === 'kvm' && run.qemuFailed && run.consoleEmpty;
}

export function kvmNote(run: QemuRunOutcome): string {
  const why = run.qemuOutput.split('\n').find((line) => line.trim() !== '') ?? 'no reason given';
  return `KVM could not run the machine (${why.slice(0, 200)}); used software emulation`;
}

function bootOnce(o: BootTestOptions, accel: 'kvm' | 'tcg', started: number): Promise<QemuRunOutcome> {
  return runQemu({
    ...o,
    accel,
    deadline: started + o.timeoutSeconds * 1000,
    during: 'the boot test',
  });
}

function toResult(
  o: BootTestOptions,
  accel: 'kvm' | 'tcg',
  started: number,
  run: QemuRunOutcome,
): BootTestResult {
  const reason: BootTestReason =
    run.ended === 'marker' ? 'marker' : run.ended === 'timeout' ? 'timeout' : 'no-marker';
  return {
    mode: 'boot',
    passed: reason === 'marker',
    reason,
    logPath: o.logPath,
    logs: [o.logPath],
    tail: [run.tail, run.qemuSaid].filter(Boolean).join('\n'),
    accel,
    seconds: secondsSince(started),
  };
}

export const secondsSince = (started: number) => Math.round((Date.now() - started) / 100) / 10;

/** Why a boot test did not pass, in words (`marker`: the boot marker, or in install mode the login marker). */
export function bootTestFailureText(reason: BootTestReason, marker: string): string {
  switch (reason) {
    case 'timeout':
      return `"${marker}" did not appear on the serial console within the boot test's time limit`;
    case 'no-marker':
      return `the machine stopped without printing "${marker}" on the serial console`;
    case 'install-timeout':
      return 'the installation did not finish: the install machine had not powered off within the install time limit';
    case 'install-failed':
      return 'the installation did not finish: the install machine restarted or its kernel panicked instead of powering off';
    case 'no-login':
      return `the installation finished but the installed disk does not boot: its machine stopped without printing "${marker}"`;
    case 'login-timeout':
      return `the installation finished but the installed disk does not boot: "${marker}" did not appear on its serial console within the time limit`;
    case 'qemu-failed':
      return 'QEMU failed (see the last lines for its message)';
    case 'marker':
    case 'login':
      return 'passed';
  }
}

/** The build-failing error for a boot test that did not pass, carrying the console's last lines. */
export function bootTestError(r: BootTestResult, marker: string): AppError {
  const what = r.mode === 'install' ? 'the install test' : 'the boot test';
  return new AppError(
    'BOOT_TEST_FAILED',
    `the ISO did not pass ${what}: ${bootTestFailureText(r.reason, marker)}`,
    {
      logTail: r.tail.split('\n').slice(-TAIL_LINES),
    },
  );
}

/** A build gets a boot test when its request asks for one, or else when its preset has `bootTest: true`. */
export function wantsBootTest(
  request: { bootTest?: boolean | undefined; preset?: string | undefined },
  presets: Record<string, { bootTest?: boolean | undefined }>,
): boolean {
  if (request.bootTest !== undefined) return request.bootTest;
  const preset =
    request.preset !== undefined && Object.hasOwn(presets, request.preset)
      ? presets[request.preset]
      : undefined;
  return preset?.bootTest ?? false;
}
