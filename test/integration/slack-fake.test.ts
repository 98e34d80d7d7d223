import { App, LogLevel } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import {
  blockActionsPayload,
  sendInteraction,
  sendSlashCommand,
  viewSubmissionPayload,
} from '../support/slack-requests.ts';
import { freePort } from '../testbed/free-port.ts';

const TOKEN = 'xoxb-fake-bot-token';
let fake: FakeSlack;
let client: WebClient;
let clock = 1_800_000_000_000;

function clientFor(token: string, extra: ConstructorParameters<typeof WebClient>[1] = {}): WebClient {
  return new WebClient(token, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, ...extra });
}

/** The Slack error code a WebClient call failed with. */
async function slackError(call: Promise<unknown>): Promise<{ error: string; messages?: string[] }> {
  try {
    await call;
  } catch (err) {
    const data = (
      err as { code?: string; data?: { error: string; response_metadata?: { messages?: string[] } } }
    ).data;
    if (data === undefined) throw err;
    return { error: data.error, messages: data.response_metadata?.messages };
  }
  throw new Error('expected the Slack call to fail');
}

const modal = (title = 'Build an ISO') => ({
  type: 'modal' as const,
  callback_id: 'build',
  title: { type: 'plain_text' as const, text: title },
  submit: { type: 'plain_text' as const, text: 'Build' },
  blocks: [
    {
      type: 'input' as const,
      block_id: 'image',
      label: { type: 'plain_text' as const, text: 'Image' },
      element: { type: 'plain_text_input' as const, action_id: 'image_ref' },
    },
  ],
});

beforeAll(async () => {
  fake = await startFakeSlack({ botToken: TOKEN, botUserId: 'U0BOT', botId: 'B0BOT', now: () => clock });
  client = clientFor(TOKEN);
});

afterEach(() => {
  expect(fake.pendingFailures()).toEqual([]);
  fake.reset();
});

afterAll(async () => {
  await fake?.stop();
});

describe('the fake Slack Web API driven by a real @slack/web-api WebClient', () => {
  it('answers auth.test with the bot identity', async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({
      ok: true,
      user_id: 'U0BOT',
      bot_id: 'B0BOT',
      team_id: 'T0TEST',
      user: 'bootc-iso',
    });
    expect(fake.calls).toEqual([{ method: 'auth.test', args: {}, token: TOKEN, at: clock }]);
  });

  it('refuses a wrong token with invalid_auth and records the failed call', async () => {
    expect(await slackError(clientFor('xoxb-wrong').auth.test())).toEqual({ error: 'invalid_auth' });
    expect(fake.calls).toMatchObject([{ method: 'auth.test', token: 'xoxb-wrong', error: 'invalid_auth' }]);
  });

  it('refuses a method it does not implement with unknown_method', async () => {
    expect(await slackError(client.apiCall('chat.meMessage', { channel: 'C0TEST', text: 'x' }))).toEqual({
      error: 'unknown_method',
    });
  });

  it('decodes form-encoded calls: blocks arrive as arrays, scalars as strings', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }];
    const posted = await client.chat.postMessage({
      channel: 'C0TEST',
      text: 'hi',
      blocks,
      unfurl_links: false,
    });
    expect(posted).toMatchObject({
      ok: true,
      channel: 'C0TEST',
      ts: expect.stringMatching(/^\d{10}\.\d{6}$/),
    });
    expect(fake.callsTo('chat.postMessage')[0]?.args).toEqual({
      channel: 'C0TEST',
      text: 'hi',
      blocks,
      unfurl_links: 'false',
    });
    expect(fake.message('C0TEST', String(posted.ts))).toMatchObject({
      text: 'hi',
      blocks,
      user: 'U0BOT',
      updates: 0,
    });
  });

  it('accepts JSON bodies too', async () => {
    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C0TEST', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, channel: 'C0TEST' });
    expect(fake.messages).toMatchObject([{ text: 'json', blocks: [{ type: 'divider' }] }]);
  });

  it('refuses over-limit blocks with invalid_blocks and a json-pointer reason', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    expect(await slackError(client.chat.postMessage({ channel: 'C0TEST', text: 't', blocks }))).toEqual({
      error: 'invalid_blocks',
      messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
    expect(fake.messages).toEqual([]);
  });

  it('refuses empty messages with no_text and text over 40000 characters with msg_too_long', async () => {
    expect(await slackError(client.chat.postMessage({ channel: 'C0TEST', text: '' }))).toEqual({
      error: 'no_text',
    });
    const long = 'x'.repeat(40_001);
    expect(await slackError(client.chat.postMessage({ channel: 'C0TEST', text: long }))).toEqual({
      error: 'msg_too_long',
    });
  });

  it('models channel access: not_in_channel until conversations.join, private and archived channels', async () => {
    fake.setChannel('C0PUB', { name: 'builds' });
    fake.setChannel('G0PRIV', { isPrivate: true });
    fake.setChannel('C0OLD', { botIsMember: true, archived: true });
    const post = (channel: string) => client.chat.postMessage({ channel, text: 'hello' });
    expect(await slackError(post('C0PUB'))).toEqual({ error: 'not_in_channel' });
    expect(await slackError(post('G0PRIV'))).toEqual({ error: 'channel_not_found' });
    expect(await slackError(post('C0NOPE'))).toEqual({ error: 'channel_not_found' });
    expect(await slackError(post('C0OLD'))).toEqual({ error: 'is_archived' });
    expect(await slackError(client.conversations.join({ channel: 'G0PRIV' }))).toEqual({
      error: 'method_not_supported_for_channel_type',
    });
    const joined = await client.conversations.join({ channel: 'C0PUB' });
    expect(joined.channel).toMatchObject({ id: 'C0PUB', name: 'builds', is_member: true, is_private: false });
    await post('C0PUB');
    const info = await client.conversations.info({ channel: 'C0PUB' });
    expect(info.channel).toMatchObject({ id: 'C0PUB', is_member: true, is_archived: false });
  });

  it('lets the bot post to public channels it has not joined when chat:write.public is granted', async () => {
    const open = await startFakeSlack({ botToken: TOKEN, chatWritePublic: true });
    try {
      open.setChannel('C0PUB', {});
      const posted = await new WebClient(TOKEN, {
        slackApiUrl: open.url,
        retryConfig: { retries: 0 },
      }).chat.postMessage({ channel: 'C0PUB', text: 'hi' });
      expect(posted.ok).toBe(true);
    } finally {
      await open.stop();
    }
  });

  it('delivers a post addressed to a user id into a DM channel', async () => {
    const posted = await client.chat.postMessage({ channel: 'U0ALICE', text: 'your ISO is ready' });
    expect(posted.channel).toMatch(/^D/);
    expect(fake.messages).toMatchObject([{ channel: posted.channel, text: 'your ISO is ready' }]);
  });

  it('threads replies under the parent and refuses an unknown thread_ts with thread_not_found', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0TEST', text: 'build 1' });
    const parentTs = String(parent.ts);
    const reply = await client.chat.postMessage({ channel: 'C0TEST', thread_ts: parentTs, text: 'step 1' });
    expect(Number(reply.ts)).toBeGreaterThan(Number(parentTs));
    expect(fake.replies('C0TEST', parentTs)).toMatchObject([{ text: 'step 1', thread_ts: parentTs }]);
    expect(
      await slackError(client.chat.postMessage({ channel: 'C0TEST', thread_ts: '1.000001', text: 'x' })),
    ).toEqual({
      error: 'thread_not_found',
    });
    const replyToReply = client.chat.postMessage({
      channel: 'C0TEST',
      thread_ts: String(reply.ts),
      text: 'x',
    });
    expect(await slackError(replyToReply)).toEqual({ error: 'thread_not_found' });
  });

  it('edits the bot’s own messages and refuses missing or foreign ones', async () => {
    const posted = await client.chat.postMessage({
      channel: 'C0TEST',
      text: 'queued',
      blocks: [{ type: 'divider' }],
    });
    const ts = String(posted.ts);
    clock += 5000;
    await client.chat.update({ channel: 'C0TEST', ts, text: 'running' });
    expect(fake.message('C0TEST', ts)).toMatchObject({
      text: 'running',
      blocks: [{ type: 'divider' }],
      updates: 1,
      edits: [{ text: 'running', blocks: [{ type: 'divider' }], at: clock }],
    });
    expect(await slackError(client.chat.update({ channel: 'C0TEST', ts: '1.000001', text: 'x' }))).toEqual({
      error: 'message_not_found',
    });
    const human = fake.seedMessage({ channel: 'C0TEST', user: 'U0ALICE', text: 'hi bot' });
    expect(await slackError(client.chat.update({ channel: 'C0TEST', ts: human.ts, text: 'x' }))).toEqual({
      error: 'cant_update_message',
    });
  });

  it('records ephemeral messages and refuses users outside the channel', async () => {
    fake.setChannel('C0TEAM', { botIsMember: true, members: ['U0ALICE'] });
    const sent = await client.chat.postEphemeral({ channel: 'C0TEAM', user: 'U0ALICE', text: 'only you' });
    expect(sent.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(fake.ephemerals).toMatchObject([{ channel: 'C0TEAM', user: 'U0ALICE', text: 'only you' }]);
    const outsider = client.chat.postEphemeral({ channel: 'C0TEAM', user: 'U0BOB', text: 'x' });
    expect(await slackError(outsider)).toEqual({ error: 'user_not_in_channel' });
  });

  it('opens a modal once per trigger and refuses reused, expired and unknown triggers', async () => {
    const trigger = fake.issueTrigger('U0ALICE');
    const opened = await client.views.open({ trigger_id: trigger, view: modal() });
    expect(opened.view).toMatchObject({
      id: expect.stringMatching(/^V/),
      callback_id: 'build',
      hash: expect.any(String),
    });
    expect(fake.views).toMatchObject([{ id: opened.view?.id, user: 'U0ALICE', triggerId: trigger }]);
    expect(await slackError(client.views.open({ trigger_id: trigger, view: modal() }))).toEqual({
      error: 'exchanged_trigger_id',
    });
    const late = fake.issueTrigger();
    clock += 3000;
    expect(await slackError(client.views.open({ trigger_id: late, view: modal() }))).toEqual({
      error: 'expired_trigger_id',
    });
    expect(await slackError(client.views.open({ trigger_id: '1.2.3', view: modal() }))).toEqual({
      error: 'invalid_trigger_id',
    });
  });

  it('publishes a home tab per user, refusing modal-only fields, a stale hash and a non-user id', async () => {
    const home = (text: string) => ({
      type: 'home' as const,
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text } }],
    });
    const first = await client.views.publish({ user_id: 'U0ALICE', view: home('one') });
    expect(fake.homes.get('U0ALICE')).toMatchObject({
      id: first.view?.id,
      blocks: [{ text: { text: 'one' } }],
    });
    const second = await client.views.publish({
      user_id: 'U0ALICE',
      view: home('two'),
      hash: first.view?.hash,
    });
    expect(second.view?.id).toBe(first.view?.id);
    expect(
      await slackError(client.views.publish({ user_id: 'U0ALICE', view: home('x'), hash: 'old' })),
    ).toEqual({
      error: 'hash_conflict',
    });
    const titled = { ...home('x'), title: { type: 'plain_text', text: 'no' } };
    expect(await slackError(client.views.publish({ user_id: 'U0ALICE', view: titled as never }))).toEqual({
      error: 'invalid_arguments',
      messages: ['[ERROR] title is not allowed in a home view [json-pointer:/view/title]'],
    });
    expect(
      await slackError(client.views.publish({ user_id: 'U0ALICE', view: modal() as never })),
    ).toMatchObject({
      error: 'invalid_arguments',
    });
    expect(await slackError(client.views.publish({ user_id: 'C0TEAM', view: home('x') }))).toEqual({
      error: 'user_not_found',
    });
    expect(fake.homes.size).toBe(1);
  });

  it('refuses an over-limit modal with invalid_arguments without spending the trigger', async () => {
    const trigger = fake.issueTrigger();
    expect(await slackError(client.views.open({ trigger_id: trigger, view: modal('x'.repeat(25)) }))).toEqual(
      {
        error: 'invalid_arguments',
        messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'],
      },
    );
    await client.views.open({ trigger_id: trigger, view: modal() });
  });

  it('updates a view by id, honouring hash, and pushes a view with a fresh trigger', async () => {
    const opened = await client.views.open({ trigger_id: fake.issueTrigger(), view: modal() });
    const id = String(opened.view?.id);
    const hash = String(opened.view?.hash);
    const updated = await client.views.update({ view_id: id, hash, view: modal('Building…') });
    expect(updated.view).toMatchObject({ id, title: { text: 'Building…' } });
    expect(await slackError(client.views.update({ view_id: id, hash, view: modal() }))).toEqual({
      error: 'hash_conflict',
    });
    expect(await slackError(client.views.update({ view_id: 'V0NOPE', view: modal() }))).toEqual({
      error: 'not_found',
    });
    await client.views.push({ trigger_id: fake.issueTrigger(), view: modal('Details') });
    expect(fake.views).toHaveLength(2);
  });

  it('answers users.info with name, real name and time zone', async () => {
    fake.setUser('U0ALICE', { realName: 'Alice Doe', tz: 'America/New_York' });
    const { user } = await client.users.info({ user: 'U0ALICE' });
    expect(user).toMatchObject({
      id: 'U0ALICE',
      real_name: 'Alice Doe',
      tz: 'America/New_York',
      name: expect.any(String),
    });
  });

  it('injects one ok:false failure and one HTTP 429 with Retry-After', async () => {
    fake.failNext('chat.postMessage', 'rate_limited');
    expect(await slackError(client.chat.postMessage({ channel: 'C0TEST', text: 'a' }))).toEqual({
      error: 'rate_limited',
    });
    fake.failNext('chat.update', { status: 429, retryAfter: 7 });
    const strict = clientFor(TOKEN, { rejectRateLimitedCalls: true });
    const rejected = await strict.chat
      .update({ channel: 'C0TEST', ts: '1.1', text: 'x' })
      .catch((err: unknown) => err);
    expect(rejected).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    await client.chat.postMessage({ channel: 'C0TEST', text: 'b' });
    expect(fake.calls.map((c) => [c.method, c.error])).toEqual([
      ['chat.postMessage', 'rate_limited'],
      ['chat.update', 'ratelimited'],
      ['chat.postMessage', undefined],
    ]);
  });

  it('reports injected failures that were never consumed', () => {
    fake.failNext('views.open', 'expired_trigger_id');
    expect(fake.pendingFailures()).toEqual(['views.open: "expired_trigger_id"']);
    fake.reset();
  });

  it('accepts five uses of a response_url, refuses the sixth, and expires it after 30 minutes', async () => {
    const url = fake.responseUrl('cmd-1');
    const post = (body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (let i = 1; i <= 5; i += 1) {
      const ok = await post({ text: `use ${i}`, response_type: 'ephemeral' });
      expect([ok.status, await ok.text()]).toEqual([200, 'ok']);
    }
    const sixth = await post({ text: 'use 6' });
    expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
    expect(fake.responses.map((r) => r.body.text)).toEqual(['use 1', 'use 2', 'use 3', 'use 4', 'use 5']);

    const late = fake.responseUrl();
    clock += 30 * 60 * 1000 + 1;
    const expired = await fetch(late, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"x"}',
    });
    expect([expired.status, await expired.text()]).toEqual([404, 'expired_url']);
  });

  it('checks Block Kit limits on response_url bodies too', async () => {
    const response = await fetch(fake.responseUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        text: 't',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }],
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      'invalid_blocks\n[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    );
    expect(fake.responses).toEqual([]);
  });

  it('records calls in order with their arguments and the clock', async () => {
    await client.auth.test();
    clock += 1;
    const posted = await client.chat.postMessage({ channel: 'C0TEST', text: 'one' });
    await client.chat.update({ channel: 'C0TEST', ts: String(posted.ts), text: 'two' });
    expect(fake.calls.map((c) => c.method)).toEqual(['auth.test', 'chat.postMessage', 'chat.update']);
    expect(fake.calls[2]).toMatchObject({
      args: { channel: 'C0TEST', ts: posted.ts, text: 'two' },
      at: clock,
    });
    expect(fake.callsTo('chat.update')).toHaveLength(1);
  });
});

describe('the signed-request helpers against a real Bolt HTTP receiver wired to the fake', () => {
  const SECRET = 'test-signing-secret';
  let app: App;
  let events: string;

  beforeAll(async () => {
    app = new App({
      token: TOKEN,
      signingSecret: SECRET,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    app.command('/bootc-iso', async ({ ack, body, client: web, respond }) => {
      await ack();
      await web.views.open({ trigger_id: body.trigger_id, view: modal() });
      await respond({ text: 'opening the build form', response_type: 'ephemeral' });
    });
    app.view('build', async ({ ack, view }) => {
      const image = view.state.values.image?.image_ref?.value ?? '';
      if (!image.includes('/'))
        await ack({ response_action: 'errors', errors: { image: 'Use a full reference' } });
      else await ack();
    });
    app.action('cancel', async ({ ack }) => {
      await ack();
    });
    const port = await freePort();
    await app.start(port);
    events = `http://127.0.0.1:${port}/slack/events`;
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('delivers a slash command that opens a modal and answers through the response_url', async () => {
    const trigger = fake.issueTrigger('U0ALICE');
    const responseUrl = fake.responseUrl();
    const fields = {
      text: 'build',
      user_id: 'U0ALICE',
      channel_id: 'C0TEST',
      trigger_id: trigger,
      response_url: responseUrl,
    };
    const sent = await sendSlashCommand(events, SECRET, fields);
    expect(sent.status).toBe(200);
    await expect.poll(() => fake.responses.length).toBe(1);
    expect(fake.views).toMatchObject([{ user: 'U0ALICE', triggerId: trigger }]);
    expect(fake.responses[0]?.body).toEqual({ text: 'opening the build form', response_type: 'ephemeral' });
  });

  it('gets validation errors back in the HTTP body of a view submission', async () => {
    const opened = await client.views.open({ trigger_id: fake.issueTrigger(), view: modal() });
    const view = fake.views.find((v) => v.id === opened.view?.id)?.view ?? {};
    const submit = (value: string) =>
      sendInteraction(
        events,
        SECRET,
        viewSubmissionPayload({
          userId: 'U0ALICE',
          view,
          values: { image: { image_ref: { type: 'plain_text_input', value } } },
        }),
      );
    expect((await submit('fedora')).json).toEqual({
      response_action: 'errors',
      errors: { image: 'Use a full reference' },
    });
    expect(await submit('quay.io/fedora/fedora-bootc:42')).toMatchObject({ status: 200, body: '' });
  });

  it('routes a block action and refuses bad signatures and stale timestamps with 401', async () => {
    const payload = blockActionsPayload({
      userId: 'U0ALICE',
      channelId: 'C0TEST',
      messageTs: '1700000000.000100',
      actionId: 'cancel',
      triggerId: fake.issueTrigger(),
      responseUrl: fake.responseUrl(),
    });
    expect((await sendInteraction(events, SECRET, payload)).status).toBe(200);
    expect((await sendInteraction(events, SECRET, payload, { badSignature: true })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await sendInteraction(events, SECRET, payload, { timestampSeconds: stale })).status).toBe(401);
  });
});
