import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { DEFAULT_CHANNEL, type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import type { Child } from '../support/run-process.ts';
import {
  buildIdOf,
  buttonOf,
  type SlackDriver,
  slackDriver,
  startWorkerAndBot,
  until,
} from '../support/slack-e2e.ts';
import { sendSlashCommand } from '../support/slack-requests.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

const BOT_TOKEN = 'xoxb-links-e2e';
const SIGNING_SECRET = 'links-e2e-signing-secret';
const REQUESTER = 'U0REQUEST1';
const MEMBER = 'U0MEMBER01';
const ADMIN = 'U0ADMIN001';
const OUTSIDERS = ['U0OUTSIDE1', 'U0OUTSIDE2'];
const OTHER_CHANNEL = 'C0ELSEWHERE';

let tb: Testbed;
let fake: FakeSlack;
let dir: string;
let bot: string;
let driver: SlackDriver;
const children: Child[] = [];
let seq = 0;

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  fake = await startFakeSlack({ botToken: BOT_TOKEN, botUserId: 'U0BOT' });
  // The build's channel: the requester and one other member; the outsiders are elsewhere.
  fake.setChannel(DEFAULT_CHANNEL, { name: 'builds', members: ['U0BOT', REQUESTER, MEMBER] });
  fake.setChannel(OTHER_CHANNEL, { name: 'elsewhere', members: ['U0BOT', ADMIN, ...OUTSIDERS] });
  driver = slackDriver(fake, SIGNING_SECRET, REQUESTER);
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-links-e2e-'));
  const extraYaml = ['access:', `  admins: { users: [${ADMIN}] }`, '  limits: { perUser: 0 }'].join('\n');
  const { env } = await writeE2eConfig(tb, dir, tb.registry, { extraYaml });
  bot = await startWorkerAndBot(env, { fake, botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET }, children);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => child.catch(() => undefined)));
  await fake?.stop();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `/bootc-iso <text>` as `user` in `channel`; the ephemeral answer's body as JSON text. */
async function command(user: string, channel: string, text: string): Promise<string> {
  const id = `links-${seq++}`;
  const response = await sendSlashCommand(bot, SIGNING_SECRET, {
    text,
    user_id: user,
    channel_id: channel,
    trigger_id: fake.issueTrigger(user),
    response_url: fake.responseUrl(id),
  });
  expect(response.status).toBe(200);
  const answer = await until(
    `the answer to "${text}"`,
    () => fake.responses.find((r) => r.id === id),
    20_000,
  );
  return JSON.stringify(answer.body);
}

describe('who sees a build’s links', () => {
  it('shows links to the requester, channel members and admins only; list all is for admins', async () => {
    await driver.submitModal(bot, { preset: { selected_option: { value: 'demo' } } });
    const message = await until('the status message', () => driver.statusMessages()[0]);
    const buildId = buildIdOf(message);
    const final = await driver.finalMessage(message);
    const download = buttonOf(final, ACTIONS.download)?.url ?? '';
    expect(download).toContain(`builds/${buildId}/`);
    // Any signed link to this build's objects (ISO or log) gives it away.
    const hasLink = (text: string) => text.includes(`builds/${buildId}/`) || text.includes(download);

    for (const viewer of [REQUESTER, MEMBER]) {
      expect(hasLink(await command(viewer, DEFAULT_CHANNEL, `status ${buildId}`))).toBe(true);
      expect(hasLink(await command(viewer, DEFAULT_CHANNEL, 'list channel'))).toBe(true);
    }
    expect(hasLink(await command(ADMIN, OTHER_CHANNEL, `status ${buildId}`))).toBe(true);
    expect(hasLink(await command(ADMIN, OTHER_CHANNEL, 'list all'))).toBe(true);

    const foreign: string[] = [];
    for (const outsider of OUTSIDERS) {
      const status = await command(outsider, OTHER_CHANNEL, `status ${buildId}`);
      // Id and state, nothing more.
      expect(status).toContain(buildId);
      expect(status).toContain('ready');
      foreign.push(status);
      // Typed in the build's channel without being a member of it.
      const listed = await command(outsider, DEFAULT_CHANNEL, 'list channel');
      expect(listed).toContain(buildId);
      foreign.push(listed);
      const all = await command(outsider, OTHER_CHANNEL, 'list all');
      expect(all).toContain('Only admins');
      foreign.push(all);
    }
    const shown = foreign.filter(hasLink).length;
    console.log(`foreign links shown: ${shown} of ${foreign.length}`);
    expect(shown).toBe(0);

    // Fresh link: refused to an outsider, and nothing changes in the channel message.
    await driver.click(bot, final, ACTIONS.freshLink, OUTSIDERS[0]);
    const refused = await until('the Fresh link answer', () =>
      fake.responses.find((r) => JSON.stringify(r.body).includes('members of its channel')),
    );
    expect(hasLink(JSON.stringify(refused.body))).toBe(false);
  });
});
