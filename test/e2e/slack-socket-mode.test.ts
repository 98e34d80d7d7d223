import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, BLOCKS } from '../../src/slack/action-ids.ts';
import { HOME_BUILD_ACTION } from '../../src/slack/views/app-home.ts';
import { DEFAULT_CHANNEL, type FakeSlack, type FakeView, startFakeSlack } from '../fakes/slack-api.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, collectLines, startTsx } from '../support/run-process.ts';
import { blocksText, buildIdOf, buttonOf, until } from '../support/slack-e2e.ts';
import { submittedState, viewSubmissionPayload } from '../support/slack-requests.ts';
import { freePort } from '../testbed/free-port.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

// The bot in Socket Mode (SLACK_APP_TOKEN set, no signing secret, no public URL), the default transport: every
// command, form submission, button and event arrives as an envelope on the fake's WebSocket and is acked there.

const BOT_TOKEN = 'xoxb-socket-e2e-1b7d';
const APP_TOKEN = 'xapp-1-socket-e2e-5c2a';
const USER = 'U0SOCKETER';
const OTHER = 'U0ELSEWHO1';

let tb: Testbed;
let fake: FakeSlack;
let dir: string;
let buildId = '';
let isoUrl = '';
const children: Child[] = [];

function command(text: string, userId = USER, responseUrlId?: string): Record<string, unknown> {
  return {
    token: 'fake-verification-token',
    team_id: 'T0TEST',
    team_domain: 'test',
    channel_id: DEFAULT_CHANNEL,
    channel_name: 'test',
    user_id: userId,
    user_name: userId.toLowerCase(),
    command: '/bootc-iso',
    text,
    api_app_id: 'A0FAKEAPP',
    is_enterprise_install: 'false',
    response_url: fake.responseUrl(responseUrlId),
    trigger_id: fake.issueTrigger(userId),
  };
}

/** `/bootc-iso build` over the socket: the ack, then the modal the bot opened with the trigger. */
async function openModal(): Promise<FakeView> {
  const opened = fake.views.length;
  expect(await fake.socketMode.send('slash_commands', command('build'))).toEqual({});
  return until('the modal', () => fake.views[opened], 15_000);
}

const submit = (view: FakeView, changes: Record<string, Record<string, unknown>>) =>
  fake.socketMode.send(
    'interactive',
    viewSubmissionPayload({ userId: USER, view: view.view, values: submittedState(view.view, changes) }),
  );

function homeOpened(userId: string): Record<string, unknown> {
  return {
    token: 'fake-verification-token',
    team_id: 'T0TEST',
    api_app_id: 'A0FAKEAPP',
    event: {
      type: 'app_home_opened',
      user: userId,
      channel: 'D0HOMETAB',
      tab: 'home',
      event_ts: '1700000000.1',
    },
    type: 'event_callback',
    event_id: `Ev${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
  };
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN, botUserId: 'U0BOT' });
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-socket-e2e-'));
  const { env } = await writeE2eConfig(tb, dir, tb.registry, {
    extraYaml: 'notifications: { dmOnFinish: true }',
  });
  const worker = startTsx('workers/main.ts', env);
  children.push(worker);
  const bot = startTsx('src/bin/bot.ts', {
    ...env,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_SIGNING_SECRET: '',
    SLACK_API_URL: fake.url,
    PORT: String(await freePort()),
  });
  children.push(bot);
  await Promise.all([
    collectLines(worker).waitFor(/worker ready/, 60_000),
    collectLines(bot).waitFor(/"mode":"socket"/, 60_000),
  ]);
  await fake.socketMode.waitForConnections(1);
});

afterEach(() => {
  expect(fake.socketMode.problems).toEqual([]);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => child.catch(() => undefined)));
  await fake?.stop();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Slack over Socket Mode, end to end', () => {
  it('connects with the app token only', () => {
    expect(fake.callsTo('apps.connections.open').map((c) => [c.token, c.error])).toEqual([
      [APP_TOKEN, undefined],
    ]);
    expect(fake.socketMode.live()).toBe(1);
  });

  it('command → modal → field errors in the ack → submit → status message → download link', async () => {
    const modal = await openModal();
    const refused = await submit(modal, {
      [BLOCKS.image]: { type: 'plain_text_input', value: '--privileged' },
      [BLOCKS.users]: { type: 'plain_text_input', value: 'admin' },
      [BLOCKS.kickstart]: { type: 'plain_text_input', value: 'text\nreboot' },
    });
    expect(refused.response_action, JSON.stringify(refused)).toBe('errors');
    const errors = refused.errors as Record<string, string>;
    expect(errors[BLOCKS.image]).toMatch(/option/i);
    expect(errors[BLOCKS.kickstart]).toMatch(/kickstart/i);

    const before = fake.messages.filter((m) => m.channel === DEFAULT_CHANNEL).length;
    const accepted = await submit(await openModal(), {
      [BLOCKS.preset]: { type: 'static_select', selected_option: { value: 'demo' } },
      [BLOCKS.volumeId]: { type: 'plain_text_input', value: 'SOCKET_E2E' },
    });
    expect(accepted).toEqual({});
    const message = await until(
      'the status message',
      () => fake.messages.filter((m) => m.channel === DEFAULT_CHANNEL && !m.thread_ts)[before],
    );
    buildId = buildIdOf(message);
    expect(buildId).toMatch(/^b[0-9a-z]{8}$/);
    const done = await until('the final message', () => {
      const m = fake.message(message.channel, message.ts);
      return m && (buttonOf(m, ACTIONS.download) || buttonOf(m, ACTIONS.retry)) ? m : undefined;
    });
    isoUrl = buttonOf(done, ACTIONS.download)?.url ?? '';
    expect(isoUrl, blocksText(done)).toMatch(/^http/);
    const iso = Buffer.from(await (await fetch(isoUrl)).arrayBuffer());
    expect(iso.subarray(0x8001, 0x8006).toString()).toBe('CD001');
  });

  it('`/bootc-iso status` answers through the response_url with the same link', async () => {
    expect(
      await fake.socketMode.send('slash_commands', command(`status ${buildId}`, USER, 'status1')),
    ).toEqual({});
    const answer = await until('the status answer', () => fake.responses.find((r) => r.id === 'status1'));
    expect(JSON.stringify(answer.body)).toContain(buildId);
    expect(JSON.stringify(answer.body)).toContain(ACTIONS.download);
  });

  it('DMs the requester once when the build ends', async () => {
    const dms = await until('the DM', () => {
      const found = fake.messages.filter((m) => m.channel.startsWith('D') && m.text.includes(buildId));
      return found.length > 0 ? found : undefined;
    });
    await new Promise((r) => setTimeout(r, 2000));
    expect(fake.messages.filter((m) => m.channel.startsWith('D') && m.text.includes(buildId))).toHaveLength(
      1,
    );
    expect(dms[0]?.text).toBe(`Your build ${buildId} is ready`);
    expect(JSON.stringify(dms[0]?.blocks ?? [])).toContain(ACTIONS.download);
  });

  it('publishes the home tab on app_home_opened: own builds with links, nobody else’s', async () => {
    expect(await fake.socketMode.send('events_api', homeOpened(USER))).toEqual({});
    expect(await fake.socketMode.send('events_api', homeOpened(OTHER))).toEqual({});
    const mine = await until('the home tab', () => fake.homes.get(USER));
    const theirs = await until('the other home tab', () => fake.homes.get(OTHER));
    expect(JSON.stringify(mine)).toContain(buildId);
    expect(JSON.stringify(mine)).toContain('|Download>');
    expect(JSON.stringify(theirs)).not.toContain(buildId);
    expect(JSON.stringify(mine)).toContain('demo');

    // The home tab's Build button opens the same modal, its status going to the person's DM.
    const opened = fake.views.length;
    const ack = await fake.socketMode.send('interactive', {
      type: 'block_actions',
      user: { id: USER, username: USER.toLowerCase(), name: USER.toLowerCase(), team_id: 'T0TEST' },
      api_app_id: 'A0FAKEAPP',
      token: 'fake-verification-token',
      container: { type: 'view', view_id: mine.id },
      trigger_id: fake.issueTrigger(USER),
      team: { id: 'T0TEST', domain: 'test' },
      view: mine,
      actions: [{ type: 'button', action_id: HOME_BUILD_ACTION, block_id: 'x', action_ts: '1700000000.2' }],
    });
    expect(ack).toEqual({});
    const modal = await until('the modal from the home tab', () => fake.views[opened], 15_000);
    expect(JSON.parse(String(modal.view.private_metadata))).toEqual({ channelId: USER });
  });

  it('after a refresh_requested disconnect, reconnects through a new apps.connections.open and commands work', async () => {
    fake.socketMode.requestRefresh();
    await fake.socketMode.waitForConnections(2, 30_000);
    expect(fake.callsTo('apps.connections.open')).toHaveLength(2);
    expect(fake.socketMode.live()).toBe(1);
    const help = await fake.socketMode.send('slash_commands', command('help'));
    expect(JSON.stringify(help)).toContain('/bootc-iso build');
    const modal = await openModal();
    expect(modal.view.callback_id).toBeTruthy();
  });
});
