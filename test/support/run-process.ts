import { execa } from 'execa';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;

// execa escalates kill() to SIGKILL after 5 s by default; graceful-shutdown tests need longer.
const CHILD_OPTIONS = { all: true, reject: false, extendEnv: true, forceKillAfterDelay: 60_000 } as const;

/** Starts `node --import tsx <entry>` from the repo root as a real child process with extra environment. */
export function startTsx(entry: string, env: Record<string, string>, args: string[] = []) {
  return execa('node', ['--import', 'tsx', entry, ...args], { ...CHILD_OPTIONS, cwd: REPO_ROOT, env });
}

export type Child = ReturnType<typeof startTsx>;

export interface LineCollector {
  lines: string[];
  /** Resolves when a line (already seen or future) matches; rejects on timeout or process exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Collects a long-running child's output lines so tests can wait for and assert on them. */
export function collectLines(child: Child): LineCollector {
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  let buffered = '';
  let exited = false;
  child.all?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters) if (w.pattern.test(line)) w.resolve(line);
    }
  });
  const exit = child.then(() => {
    exited = true;
  });
  return {
    lines,
    waitFor(pattern, timeoutMs = 60_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(line);
          },
        };
        const fail = (why: string) => {
          waiters.delete(waiter);
          reject(new Error(`${why} waiting for ${pattern}; output so far:\n${lines.slice(-40).join('\n')}`));
        };
        const timer = setTimeout(() => fail('timed out'), timeoutMs);
        waiters.add(waiter);
        void exit.then(() => {
          if (waiters.has(waiter)) {
            clearTimeout(timer);
            fail(exited ? 'process exited' : 'process ended');
          }
        });
      });
    },
  };
}
