import { type ChildProcess, fork, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;

export interface Started {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

function track(child: ChildProcess, closeFd?: number): Started {
  let gone = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      gone = true;
      if (closeFd !== undefined) closeSync(closeFd);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    child,
    exited,
    async stop(graceMs = 10_000) {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * `node --import tsx <entry>` from the repo root with stdout and stderr appended to `logFile`, so a chatty child
 * costs the benchmark process nothing. `ipc` adds a message channel (child_process.fork).
 */
export function startTsx(
  entry: string,
  env: Record<string, string>,
  logFile: string,
  opts: { ipc?: boolean; args?: string[]; nodeArgs?: string[] } = {},
): Started {
  const fd = openSync(logFile, 'a');
  const options = { cwd: REPO_ROOT, env: { ...process.env, ...env } };
  const child = opts.ipc
    ? fork(entry, opts.args ?? [], {
        ...options,
        execArgv: [...(opts.nodeArgs ?? []), '--import', 'tsx'],
        stdio: ['ignore', fd, fd, 'ipc'],
      })
    : spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', entry, ...(opts.args ?? [])], {
        ...options,
        stdio: ['ignore', fd, fd],
      });
  return track(child, fd);
}

/** Polls `url` until it answers 200; throws after `timeoutMs` or when `exited` settles first. */
export async function waitHttp(url: string, timeoutMs = 60_000, exited?: Promise<unknown>): Promise<void> {
  let dead = false;
  void exited?.then(() => {
    dead = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (dead) throw new Error(`process exited before ${url} answered`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Polls `probe` until it returns a truthy value; throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
