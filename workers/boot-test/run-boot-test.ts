import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { AppError } from '../../src/domain/errors.ts';
import { type BootMachine, chooseAccel, qemuArgs } from './qemu-args.ts';

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

export type BootTestReason = 'marker' | 'no-marker' | 'timeout';

export interface BootTestResult {
  passed: boolean;
  /** marker: seen; no-marker: the machine stopped without printing it; timeout: still running without it. */
  reason: BootTestReason;
  logPath: string;
  /** Last lines of the console (and QEMU's own error when it could not start). */
  tail: string;
  accel: 'kvm' | 'tcg';
  seconds: number;
  /** Set when the boot did not run as configured (KVM unusable, so software emulation was used). */
  note?: string;
}

const TAIL_LINES = 30;
const TAIL_BYTES = 16_384;

/** Follows a growing file; remembers enough of the previous read that a marker split across reads is still found. */
class ConsoleWatch {
  private offset = 0;
  private carry = '';
  private last = '';

  private readonly path: string;
  private readonly marker: string;

  constructor(path: string, marker: string) {
    this.path = path;
    this.marker = marker;
  }

  async seen(): Promise<boolean> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return false;
    }
    try {
      const buffer = Buffer.alloc(65_536);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) return false;
        this.offset += bytesRead;
        const text = this.carry + buffer.subarray(0, bytesRead).toString('latin1');
        this.last = (this.last + text).slice(-TAIL_BYTES);
        if (text.includes(this.marker)) return true;
        this.carry = text.slice(-Math.max(0, this.marker.length - 1));
      }
    } finally {
      await handle.close();
    }
  }

  empty(): boolean {
    return this.offset === 0;
  }

  tail(): string {
    // Serial consoles end lines with CRLF and may carry escape sequences; keep printable text only.
    const clean = this.last.replace(/\r/g, '').replace(/[^\t\n -~]/g, '');
    return clean.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  }
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
  if (o.accel !== 'auto' || accel !== 'kvm' || !first.failedBeforeConsole) return first.result;
  const why = first.qemuSaid.split('\n').find((line) => line.trim() !== '') ?? 'no reason given';
  const second = await bootOnce(o, 'tcg', started);
  return {
    ...second.result,
    note: `KVM could not run the machine (${why.slice(0, 200)}); used software emulation`,
  };
}

async function bootOnce(
  o: BootTestOptions,
  accel: 'kvm' | 'tcg',
  started: number,
): Promise<{ result: BootTestResult; failedBeforeConsole: boolean; qemuSaid: string }> {
  const watch = new ConsoleWatch(o.logPath, o.marker);
  const child = execa(o.qemu, qemuArgs({ ...o, iso: o.iso, serialLog: o.logPath, accel }), {
    stdin: 'ignore',
    reject: false,
    cleanup: true,
    all: true,
    // QEMU needs nothing from the worker's environment; credentials must not reach it.
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    extendEnv: false,
  });
  let exited = false;
  const ended = child.then((r) => {
    exited = true;
    return r;
  });
  const deadline = started + o.timeoutSeconds * 1000;
  const result = (reason: BootTestReason, extra = ''): BootTestResult => ({
    passed: reason === 'marker',
    reason,
    logPath: o.logPath,
    tail: [watch.tail(), extra].filter(Boolean).join('\n'),
    accel,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  });
  try {
    for (;;) {
      if (o.signal?.aborted) throw new AppError('CANCELLED', 'the build was cancelled during the boot test');
      // Read after checking `exited`, so the last output of a machine that printed and stopped is not missed.
      const stopped = exited;
      if (await watch.seen()) return { result: result('marker'), failedBeforeConsole: false, qemuSaid: '' };
      if (stopped) {
        const r = await ended;
        const qemuSaid = r.failed ? `${r.shortMessage}\n${String(r.all ?? '').trim()}` : '';
        return {
          result: result('no-marker', qemuSaid.slice(-2000)),
          failedBeforeConsole: r.failed && watch.empty(),
          qemuSaid: String(r.all ?? ''),
        };
      }
      if (Date.now() >= deadline)
        return { result: result('timeout'), failedBeforeConsole: false, qemuSaid: '' };
      await Promise.race([sleep(o.pollMs ?? 250), ended]);
    }
  } finally {
    if (!exited) {
      child.kill('SIGKILL');
      await ended;
    }
  }
}

/** The build-failing error for a boot test that did not pass, carrying the console's last lines. */
export function bootTestError(r: BootTestResult, marker: string): AppError {
  const why =
    r.reason === 'timeout'
      ? `"${marker}" did not appear on the serial console within the boot test's time limit`
      : `the machine stopped without printing "${marker}" on the serial console`;
  return new AppError('BOOT_TEST_FAILED', `the ISO did not pass the boot test: ${why}`, {
    logTail: r.tail.split('\n').slice(-TAIL_LINES),
  });
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
