import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { AppError } from '../../src/domain/errors.ts';
import { ConsoleWatch } from './console-watch.ts';
import { type BootMachine, type BootMedia, qemuArgs } from './qemu-args.ts';

export interface QemuRunOptions extends BootMedia, Omit<BootMachine, 'accel'> {
  accel: 'kvm' | 'tcg';
  /** The QEMU executable. */
  qemu: string;
  /** Where the serial console is written. */
  logPath: string;
  /** Stop as soon as this text is on the console; without one, wait for the machine to stop by itself. */
  marker?: string;
  /** Epoch milliseconds after which the machine is stopped. */
  deadline: number;
  signal?: AbortSignal;
  /** How often the console log is read. */
  pollMs?: number;
  /** What the CANCELLED error says was running. */
  during: string;
}

export interface QemuRunOutcome {
  /** marker: seen; exited: QEMU ended by itself first; timeout: still running at the deadline. */
  ended: 'marker' | 'exited' | 'timeout';
  /** QEMU exited with an error (it could not start, or crashed), rather than the guest powering off. */
  qemuFailed: boolean;
  /** Why QEMU failed and what it printed, when it failed. */
  qemuSaid: string;
  /** What QEMU itself printed. */
  qemuOutput: string;
  /** Last lines of the console. */
  tail: string;
  /** The console's last 16 KiB (a kernel panic's first line is followed by dozens of lines of dump). */
  recent: string;
  /** Nothing reached the console. */
  consoleEmpty: boolean;
}

/**
 * Runs one QEMU machine with its serial console going to `logPath` and watches that file. QEMU is stopped as soon
 * as the marker appears, at the deadline, or when `signal` aborts (which throws CANCELLED).
 */
export async function runQemu(o: QemuRunOptions): Promise<QemuRunOutcome> {
  const watch = new ConsoleWatch(o.logPath, o.marker);
  const child = execa(o.qemu, qemuArgs({ ...o, serialLog: o.logPath }), {
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
  const outcome = (
    ending: QemuRunOutcome['ended'],
    qemuFailed = false,
    qemuSaid = '',
    qemuOutput = '',
  ): QemuRunOutcome => ({
    ended: ending,
    qemuFailed,
    qemuSaid,
    qemuOutput,
    tail: watch.tail(),
    recent: watch.recent(),
    consoleEmpty: watch.empty(),
  });
  try {
    for (;;) {
      if (o.signal?.aborted) throw new AppError('CANCELLED', `the build was cancelled during ${o.during}`);
      // Read after checking `exited`, so the last output of a machine that printed and stopped is not missed.
      const stopped = exited;
      if (await watch.seen()) return outcome('marker');
      if (stopped) {
        const r = await ended;
        const output = String(r.all ?? '').trim();
        const said = r.failed ? `${r.shortMessage}\n${output}` : '';
        return outcome('exited', r.failed, said.slice(-2000), output);
      }
      if (Date.now() >= o.deadline) return outcome('timeout');
      await Promise.race([sleep(o.pollMs ?? 250), ended]);
    }
  } finally {
    if (!exited) {
      child.kill('SIGKILL');
      await ended;
    }
  }
}
