// The strict fake Slack Web API (test/fakes/slack-api.ts) in a process of its own, driven over the IPC channel, so
// that serving the bot's Web API calls does not share an event loop with the load generator that times the bot.
import { startFakeSlack } from '../../test/fakes/slack-api.ts';

export type FakeOp =
  | { op: 'url' }
  | { op: 'triggers'; count: number; user: string }
  | { op: 'responseUrls'; prefix: string; count: number }
  | { op: 'calls'; since?: number }
  | { op: 'count' }
  | { op: 'messages' }
  | { op: 'reset' };

export interface CallSummary {
  method: string;
  at: number;
  error?: string;
  channel?: string;
  ts?: string;
  thread_ts?: string;
  trigger_id?: string;
}

const token = process.env.BENCH_SLACK_TOKEN ?? '';
const fake = await startFakeSlack({ botToken: token, botUserId: 'U0BOT' });

function handle(message: FakeOp): unknown {
  switch (message.op) {
    case 'url':
      return fake.url;
    case 'triggers':
      return Array.from({ length: message.count }, () => fake.issueTrigger(message.user));
    case 'responseUrls':
      return Array.from({ length: message.count }, (_, i) => fake.responseUrl(`${message.prefix}${i}`));
    case 'calls':
      return fake.calls.slice(message.since ?? 0).map((c): CallSummary => {
        const s: CallSummary = { method: c.method, at: c.at };
        if (c.error) s.error = c.error;
        for (const k of ['channel', 'ts', 'thread_ts', 'trigger_id'] as const) {
          const v = c.args[k];
          if (typeof v === 'string') s[k] = v;
        }
        return s;
      });
    case 'count':
      return fake.calls.length;
    case 'messages':
      return fake.messages.map((m) => ({
        channel: m.channel,
        ts: m.ts,
        thread_ts: m.thread_ts,
        text: m.text,
        updates: m.updates,
      }));
    case 'reset':
      fake.reset();
      return true;
  }
}

process.on('message', (raw: { id: number } & FakeOp) => {
  let reply: { id: number; result?: unknown; error?: string };
  try {
    reply = { id: raw.id, result: handle(raw) };
  } catch (error) {
    reply = { id: raw.id, error: String(error) };
  }
  process.send?.(reply);
});
process.on('disconnect', () => {
  void fake.stop().finally(() => process.exit(0));
});
process.send?.({ id: 0, result: fake.url });
