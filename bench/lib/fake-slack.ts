import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { CallSummary, FakeOp } from './fake-slack-child.ts';
import { startTsx } from './proc.ts';

export type { CallSummary };

export interface FakeSlackProcess {
  url: string;
  triggers(count: number, user: string): Promise<string[]>;
  responseUrls(prefix: string, count: number): Promise<string[]>;
  calls(since?: number): Promise<CallSummary[]>;
  count(): Promise<number>;
  messages(): Promise<{ channel: string; ts: string; thread_ts?: string; text: string; updates: number }[]>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts bench/lib/fake-slack-child.ts and talks to it over IPC. */
export async function startFakeSlackProcess(token: string, logDir: string): Promise<FakeSlackProcess> {
  const started = startTsx(
    new URL('./fake-slack-child.ts', import.meta.url).pathname,
    { BENCH_SLACK_TOKEN: token },
    join(logDir, 'fake-slack.log'),
    { ipc: true },
  );
  // The fake stands in for Slack's servers, which are not on this machine: at the lowest CPU priority its Block Kit
  // checks run in the gaps instead of taking the 2 cores from the bot and the load generator being measured.
  if (started.child.pid !== undefined) setPriority(started.child.pid, 19);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let seq = 0;
  const ready = new Promise<string>((resolve, reject) => {
    pending.set(0, { resolve: (v) => resolve(v as string), reject });
    void started.exited.then((code) => reject(new Error(`fake Slack exited (${code}) before it was ready`)));
  });
  started.child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const waiter = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) waiter?.reject(new Error(m.error));
    else waiter?.resolve(m.result);
  });
  const url = await ready;
  const call = <T>(message: FakeOp): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve: (v) => resolve(v as T), reject });
      started.child.send({ id, ...message });
    });
  return {
    url,
    triggers: (count, user) => call({ op: 'triggers', count, user }),
    responseUrls: (prefix, count) => call({ op: 'responseUrls', prefix, count }),
    calls: (since) => call(since === undefined ? { op: 'calls' } : { op: 'calls', since }),
    count: () => call({ op: 'count' }),
    messages: () => call({ op: 'messages' }),
    reset: () => call<boolean>({ op: 'reset' }).then(() => undefined),
    async stop() {
      started.child.disconnect();
      await started.stop(5000);
    },
  };
}
