import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostArch } from '../../src/domain/host-arch.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { ACTIONS, BLOCKS } from '../../src/slack/action-ids.ts';
import { DEFAULT_CHANNEL, type FakeMessage, type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, collectLines, type LineCollector, startTsx } from '../support/run-process.ts';
import {
  blocksText,
  buildIdOf,
  buttonOf,
  type ModalValues,
  type SlackDriver,
  slackDriver,
  until,
} from '../support/slack-e2e.ts';
import {
  sendInteraction,
  sendSlashCommand,
  signSlackRequest,
  submittedState,
  viewSubmissionPayload,
} from '../support/slack-requests.ts';
import { freePort } from '../testbed/free-port.ts';
import { podman, requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

const BOT_TOKEN = 'xoxb-e2e-bot-token-4d1f';
const SIGNING_SECRET = 'e2e-signing-secret-9b2c';
const USER = 'U0REQUESTER';
const OTHER_USER = 'U0SOMEONE';

let tb: Testbed;
let fake: FakeSlack;
let dir: string;
let env: Record<string, string>;
const children: { child: Child; out: LineCollector }[] = [];
const bots: string[] = [];

function startChild(entry: string, extraEnv: Record<string, string>) {
  const child = startTsx(entry, { ...env, ...extraEnv });
  const out = collectLines(child);
  children.push({ child, out });
  return out;
}

let driver: SlackDriver;
const statusMessages = () => driver.statusMessages();
const submitModal = (bot: string, values: ModalValues) => driver.submitModal(bot, values);
const click = (bot: string, m: FakeMessage, actionId: string, userId = USER) =>
  driver.click(bot, m, actionId, userId);

function queueOfHost(): Queue {
  return new Queue(buildQueueName(hostArch()), { connection: { url: tb.redis.url }, prefix: QUEUE_PREFIX });
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  fake = await startFakeSlack({ botToken: BOT_TOKEN, botUserId: 'U0BOT' });
  driver = slackDriver(fake, SIGNING_SECRET, USER);
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-slack-e2e-'));
  ({ env } = await writeE2eConfig(tb, dir, tb.registry, { buildSeconds: 60 }));
  const worker = startChild('workers/main.ts', {});
  const slackEnv = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
  };
  // Two bot processes side by side, as during a rolling upgrade: every update must still happen once.
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    bots.push(`http://127.0.0.1:${port}/slack/events`);
    await startChild('src/bin/bot.ts', { ...slackEnv, PORT: String(port) }).waitFor(/bot ready/, 60_000);
  }
  await worker.waitFor(/worker ready/, 60_000);
});

afterAll(async () => {
  for (const { child } of children) child.kill('SIGTERM');
  await Promise.all(children.map(({ child }) => child.catch(() => undefined)));
  await fake?.stop();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Slack: /bootc-iso build through two bots, a real worker, podman and S3', () => {
  it('serves /healthz on the bot port', async () => {
    const response = await fetch((bots[0] ?? '').replace('/slack/events', '/healthz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it('builds from a preset picked in the modal and ends with a download link whose ISO matches the sha256', async () => {
    const before = statusMessages().length;
    const submit = await submitModal(bots[0] ?? '', {
      preset: { type: 'static_select', selected_option: { value: 'demo' } },
      users: { type: 'plain_text_input', value: 'admin | | wheel' },
      volumeId: { type: 'plain_text_input', value: 'SLACK_E2E' },
    });
    expect(submit.status).toBe(200);
    expect(submit.body).toBe('');
    const message = await until('the status message', () => statusMessages()[before]);
    const buildId = buildIdOf(message);
    expect(buildId).toMatch(/^b[0-9a-z]{8}$/);
    expect(blocksText(message)).toContain(tb.sourceRef);

    const done = await until('the final message', () => {
      const m = fake.message(message.channel, message.ts);
      return m && buttonOf(m, ACTIONS.download) ? m : undefined;
    });
    const url = buttonOf(done, ACTIONS.download)?.url ?? '';
    const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(blocksText(done)).toContain(sha256);
    expect(bytes.subarray(0x8001, 0x8006).toString()).toBe('CD001');

    // A few thread replies, each exactly once although two bots saw every event.
    const replies = fake.replies(message.channel, message.ts);
    const texts = replies.map((r) => r.text);
    console.log(`slack: thread replies: ${JSON.stringify(texts)}`);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.filter((t) => /started/i.test(t)).length).toBeLessThanOrEqual(1);
    expect(texts.filter((t) => /ready|complete/i.test(t))).toHaveLength(1);
    expect(replies.length).toBeLessThanOrEqual(3);
    // Edits at least 5 s apart, and few of them.
    const times = [message.edits.length ? 0 : 0, ...done.edits.map((e) => e.at)];
    for (let i = 2; i < times.length; i++)
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(4900);
    console.log(
      `slack: build ${buildId} took ${done.updates} chat.update calls and ${replies.length} replies`,
    );
  });

  it('answers the same request again from the first ISO in one edit at once, and builds when told to rebuild', async () => {
    const form = {
      preset: { type: 'static_select', selected_option: { value: 'demo' } },
      users: { type: 'plain_text_input', value: 'admin | | wheel' },
      volumeId: { type: 'plain_text_input', value: 'SLACK_E2E' },
    };
    const before = statusMessages().length;
    const submittedAt = Date.now();
    expect((await submitModal(bots[1] ?? '', form)).status).toBe(200);
    const message = await until('the status message', () => statusMessages()[before]);
    const done = await until('the final message', () => {
      const m = fake.message(message.channel, message.ts);
      return m && buttonOf(m, ACTIONS.download) ? m : undefined;
    });
    const answeredMs = (done.edits.at(-1)?.at ?? Date.now()) - submittedAt;
    expect(blocksText(done)).toContain('No build was needed');
    expect(done.updates).toBe(1);
    // Far sooner than the 5 s between edits: the one edit shows the final state.
    expect(answeredMs).toBeLessThan(4000);
    console.log(`slack: identical request answered in ${answeredMs} ms with ${done.updates} chat.update`);

    const rebuild = { ...form, rebuild: { type: 'checkboxes', selected_options: [{ value: 'rebuild' }] } };
    expect((await submitModal(bots[0] ?? '', rebuild)).status).toBe(200);
    const second = await until('the rebuild status message', () => statusMessages()[before + 1]);
    const rebuilt = await until('the rebuilt message', () => {
      const m = fake.message(second.channel, second.ts);
      return m && buttonOf(m, ACTIONS.download) ? m : undefined;
    });
    expect(blocksText(rebuilt)).not.toContain('No build was needed');
    const queue = queueOfHost();
    const job = await queue.getJob(buildIdOf(rebuilt));
    await queue.close();
    expect(job?.returnvalue?.timings?.build).toBeGreaterThan(0);
  });

  it('answers a modal with errors next to each field and queues nothing', async () => {
    const queue = queueOfHost();
    const jobsBefore = await queue.count();
    const messagesBefore = fake.messages.length;
    const submit = await submitModal(bots[1] ?? '', {
      image: { type: 'plain_text_input', value: '--privileged' },
      users: { type: 'plain_text_input', value: 'admin' },
      kickstart: { type: 'plain_text_input', value: 'text\nreboot' },
    });
    expect(submit.status).toBe(200);
    const answer = submit.json as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(answer.errors[BLOCKS.image]).toMatch(/option/i);
    expect(answer.errors[BLOCKS.kickstart]).toMatch(/kickstart/i);
    expect(await queue.count()).toBe(jobsBefore);
    expect(fake.messages.length).toBe(messagesBefore);
    await queue.close();
  });

  it('refuses requests with a bad signature or an old timestamp, and queues nothing', async () => {
    const fields = {
      text: 'build',
      user_id: USER,
      channel_id: DEFAULT_CHANNEL,
      trigger_id: fake.issueTrigger(USER),
      response_url: fake.responseUrl(),
    };
    const views = fake.views.length;
    const forged = await sendSlashCommand(bots[0] ?? '', SIGNING_SECRET, fields, { badSignature: true });
    const replayed = await sendSlashCommand(bots[0] ?? '', SIGNING_SECRET, fields, {
      timestampSeconds: Math.floor(Date.now() / 1000) - 600,
    });
    expect([forged.status, replayed.status]).toEqual([401, 401]);
    expect(fake.views.length).toBe(views);

    // A batch of forged, replayed and malformed requests, as an attacker would send them.
    const queue = queueOfHost();
    const jobsBefore = await queue.count();
    const messagesBefore = fake.messages.length;
    const now = Math.floor(Date.now() / 1000);
    const command = new URLSearchParams({
      command: '/bootc-iso',
      ...fields,
      trigger_id: fake.issueTrigger(USER),
    }).toString();
    const submission = `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', user: { id: USER } }))}`;
    const variants: { body: string; headers: Record<string, string> }[] = [];
    for (let i = 0; i < 10; i++) {
      const body = i % 2 ? command : submission;
      variants.push({ body, headers: { ...signSlackRequest(`${SIGNING_SECRET}-${i}`, body, now) } });
      variants.push({ body, headers: { ...signSlackRequest(SIGNING_SECRET, body, now - 301 - i * 60) } });
      variants.push({ body: `${body}&x=${i}`, headers: { ...signSlackRequest(SIGNING_SECRET, body, now) } });
      variants.push({ body, headers: {} });
      variants.push({
        body: `payload=%7Bnot-json${i}`,
        headers: { ...signSlackRequest(SIGNING_SECRET, `payload=%7Bnot-json${i}`, now) },
      });
    }
    const statuses = await Promise.all(
      variants.map(async ({ body, headers }) => {
        const response = await fetch(bots[0] ?? '', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body,
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    const refused = statuses.filter((status) => status >= 400).length;
    console.log(
      `forged requests: ${refused}/${variants.length} refused, statuses ${JSON.stringify([...new Set(statuses)])}`,
    );
    expect(refused).toBe(variants.length);
    expect(await queue.count()).toBe(jobsBefore);
    expect(fake.messages.length).toBe(messagesBefore);
    expect(fake.views.length).toBe(views);
    await queue.close();
  });

  it('cancels a running build from its Cancel button: the container goes and the message says who', async () => {
    const before = statusMessages().length;
    await submitModal(bots[1] ?? '', {
      preset: { type: 'static_select', selected_option: { value: 'slow' } },
    });
    const message = await until('the status message', () => statusMessages()[before]);
    const buildId = buildIdOf(message);
    const label = `label=io.bootc-iso.build=${buildId}`;
    await until('the builder container', () => true, 1);
    const start = Date.now();
    for (;;) {
      const { stdout } = await podman(tb.podman, ['ps', '--quiet', '--filter', label]);
      if (stdout.trim()) break;
      if (Date.now() - start > 60_000) throw new Error('the builder never started');
      await new Promise((r) => setTimeout(r, 300));
    }
    const current = fake.message(message.channel, message.ts) ?? message;
    expect(buttonOf(current, ACTIONS.cancel)).toBeDefined();
    const denied = await click(bots[0] ?? '', current, ACTIONS.cancel, OTHER_USER);
    expect(denied.status).toBe(200);
    const clicked = await click(bots[0] ?? '', current, ACTIONS.cancel);
    expect(clicked.status).toBe(200);
    const gone = Date.now();
    for (;;) {
      const { stdout } = await podman(tb.podman, ['ps', '--all', '--quiet', '--filter', label]);
      if (!stdout.trim()) break;
      if (Date.now() - gone > 10_000)
        throw new Error('the builder container is still there 10 s after cancel');
      await new Promise((r) => setTimeout(r, 200));
    }
    const cancelled = await until('the cancelled message', () => {
      const m = fake.message(message.channel, message.ts);
      return m && /cancelled/i.test(blocksText(m)) ? m : undefined;
    });
    expect(blocksText(cancelled)).toContain(`<@${USER}>`);
    expect(fake.responses.some((r) => JSON.stringify(r.body).includes(`Only <@${USER}>`))).toBe(true);
  });

  it('retries a failed build from its Retry button as a new build with its own message', async () => {
    const before = statusMessages().length;
    await submitModal(bots[0] ?? '', {
      preset: { type: 'static_select', selected_option: { value: 'broken' } },
    });
    const message = await until('the status message', () => statusMessages()[before]);
    const failed = await until('the failure', () => {
      const m = fake.message(message.channel, message.ts);
      return m && buttonOf(m, ACTIONS.retry) ? m : undefined;
    });
    expect(blocksText(failed)).toContain('osbuild failed');
    const retried = await click(bots[1] ?? '', failed, ACTIONS.retry);
    expect(retried.status).toBe(200);
    const second = await until('the retry message', () => statusMessages()[before + 1]);
    expect(buildIdOf(second)).not.toBe(buildIdOf(message));
  });

  it('keeps a long build moving with edits at least 5 s apart when one bot dies and across a restart of every bot', async () => {
    const before = statusMessages().length;
    await submitModal(bots[0] ?? '', {
      preset: { type: 'static_select', selected_option: { value: 'slow' } },
    });
    const message = await until('the status message', () => statusMessages()[before]);
    await until(
      'a first progress edit',
      () => (fake.message(message.channel, message.ts)?.updates ?? 0) >= 1,
    );

    // One bot dies (SIGKILL): the other keeps the message moving.
    const running = children.filter(({ out }) => out.lines.some((l) => l.includes('bot ready')));
    running[0]?.child.kill('SIGKILL');
    await running[0]?.child.catch(() => undefined);
    const editsBefore = fake.message(message.channel, message.ts)?.updates ?? 0;
    await until(
      'an edit by the surviving bot',
      () => (fake.message(message.channel, message.ts)?.updates ?? 0) > editsBefore,
    );

    // Then the other stops too and a fresh one starts: it picks up the build's events where they left off.
    for (const { child } of running.slice(1)) child.kill('SIGTERM');
    await Promise.all(running.slice(1).map(({ child }) => child.catch(() => undefined)));
    const port = await freePort();
    bots.push(`http://127.0.0.1:${port}/slack/events`);
    await startChild('src/bin/bot.ts', {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      PORT: String(port),
    }).waitFor(/bot ready/, 60_000);

    const done = await until(
      'the final message',
      () => {
        const m = fake.message(message.channel, message.ts);
        return m && buttonOf(m, ACTIONS.download) ? m : undefined;
      },
      120_000,
    );
    const edits = done.edits.map((e) => e.at);
    const gaps = edits.slice(1).map((at, i) => at - (edits[i] ?? 0));
    console.log(`slack: long build: ${done.updates} chat.update calls, gaps ${JSON.stringify(gaps)} ms`);
    expect(done.updates).toBeGreaterThanOrEqual(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(4900);
    const texts = fake.replies(message.channel, message.ts).map((r) => r.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.filter((t) => /started/i.test(t))).toHaveLength(1);
    const calls = fake.calls.filter((c) => JSON.stringify(c.args).includes(message.ts)).length;
    console.log(`slack: long build: ${calls} Web API calls about its message`);
  });

  it('answers status, list, presets, help and unknown subcommands ephemerally', async () => {
    const ask = async (text: string) => {
      const responseUrl = fake.responseUrl();
      const id = responseUrl.split('/').at(-1) ?? '';
      const reply = await sendSlashCommand(bots.at(-1) ?? '', SIGNING_SECRET, {
        text,
        user_id: USER,
        channel_id: DEFAULT_CHANNEL,
        trigger_id: fake.issueTrigger(USER),
        response_url: responseUrl,
      });
      expect(reply.status).toBe(200);
      if (reply.body) return reply.body;
      const answered = await until(
        `an answer to "${text}"`,
        () => fake.responses.find((r) => r.id === id),
        15_000,
      );
      expect(answered.body.response_type ?? 'ephemeral').toBe('ephemeral');
      return JSON.stringify(answered.body);
    };
    const buildId = buildIdOf(statusMessages()[0] as FakeMessage);
    expect(await ask(`status ${buildId}`)).toContain(buildId);
    expect(await ask('list mine')).toContain(buildId);
    expect(await ask('presets')).toContain('demo');
    const help = await ask('help');
    for (const sub of ['build', 'status', 'list', 'cancel', 'retry', 'presets']) expect(help).toContain(sub);
    const unknown = await ask('frobnicate now');
    expect(unknown).toContain('frobnicate');
    expect(unknown).toContain('/bootc-iso build');
  });

  it('joins a public channel it is not in, and DMs the requester when it cannot post in a private one', async () => {
    fake.setChannel('C0PUBLIC', { name: 'builds', isPrivate: false, botIsMember: false });
    fake.setChannel('G0PRIVATE', { name: 'secret', isPrivate: true, botIsMember: false });
    for (const channel of ['C0PUBLIC', 'G0PRIVATE']) {
      const trigger = fake.issueTrigger(USER);
      const opened = fake.views.length;
      await sendSlashCommand(bots.at(-1) ?? '', SIGNING_SECRET, {
        text: 'build demo',
        user_id: USER,
        channel_id: channel,
        trigger_id: trigger,
        response_url: fake.responseUrl(),
      });
      const view = await until('the modal', () => fake.views[opened]);
      await sendInteraction(
        bots.at(-1) ?? '',
        SIGNING_SECRET,
        viewSubmissionPayload({ userId: USER, view: view.view, values: submittedState(view.view, {}) }),
      );
    }
    const inPublic = await until('a message in the public channel', () =>
      fake.messages.find((m) => m.channel === 'C0PUBLIC' && !m.thread_ts),
    );
    expect(fake.callsTo('conversations.join').some((c) => c.args.channel === 'C0PUBLIC')).toBe(true);
    expect(blocksText(inPublic)).toContain(tb.sourceRef);
    const dm = await until('a DM to the requester', () =>
      fake.messages.find((m) => m.channel.startsWith('D') && !m.thread_ts && buildIdOf(m)),
    );
    const note = fake.replies(dm.channel, dm.ts).map((r) => `${r.text} ${JSON.stringify(r.blocks ?? [])}`);
    expect(note.join(' ')).toContain('/invite');
  });
});
