import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';

/** Every test-bed temp dir starts with this, so a CI sweep can find what a crashed run left behind. */
export const TEMP_PREFIX = 'bootc-iso-testbed-';

/** A fresh directory under os.tmpdir() (honours TMPDIR). */
export async function makeTempDir(kind: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${TEMP_PREFIX}${kind}-`));
}

/** Polls `probe` until it returns true; throws after `timeoutMs` or as soon as `abort()` returns a reason. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; abort?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const reason = opts.abort?.();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: timed out after ${opts.timeoutMs ?? 30_000} ms`);
    await sleep(opts.intervalMs ?? 100);
  }
}

/** Last lines of a log file, for error messages. */
export function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export interface Daemon {
  subprocess: ResultPromise;
  /** Set once the process has exited (with its exit description). */
  exited(): string | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a long-running child with stdout and stderr appended to `logFile`. execa's `cleanup` kills it if the test
 * process exits without stopping it.
 */
export function spawnDaemon(file: string, args: string[], logFile: string): Daemon {
  let exitInfo: string | undefined;
  const subprocess: ResultPromise = execa(file, args, {
    stdin: 'ignore',
    stdout: { file: logFile, append: true },
    stderr: { file: logFile, append: true },
    cleanup: true,
    reject: false,
    forceKillAfterDelay: false,
  });
  const done = subprocess.then((result) => {
    if (result.signal) exitInfo = `killed by ${result.signal}`;
    else if (result.exitCode !== undefined) exitInfo = `exited with code ${result.exitCode}`;
    else exitInfo = `failed to start: ${result.shortMessage}`;
  });
  return {
    subprocess,
    exited: () => exitInfo,
    async stop(graceMs = 10_000) {
      if (exitInfo !== undefined) return;
      subprocess.kill('SIGTERM');
      const timer = setTimeout(() => subprocess.kill('SIGKILL'), graceMs);
      try {
        await done;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
