import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { DEFAULT_CHANNEL, type FakeSlack } from '../fakes/slack-api.ts';
import { buildIdOf, buttonOf, type SlackDriver, until } from '../support/slack-e2e.ts';
import { type SlackE2e, startSlackE2e } from '../support/slack-e2e-host.ts';
import { sendSlashCommand } from '../support/slack-requests.ts';

const BOT_TOKEN = 'xoxb-links-e2e';
const SIGNING_SECRET = 'links-e2e-signing-secret';
const REQUESTER = 'U0REQUEST1';
const MEMBER = 'U0MEMBER01';
const ADMIN = 'U0ADMIN001';
const OUTSIDERS = ['U0OUTSIDE1', 'U0OUTSIDE2'];
const OTHER_CHANNEL = 'C0ELSEWHERE';

let e2e: SlackE2e;
let fake: FakeSlack;
let bot: string;
let driver: SlackDriver;
let seq = 0;

beforeAll(async () => {
  e2e = await startSlackE2e({
    name: 'links-e2e',
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    user: REQUESTER,
    workspace: (f) => {
      // The build's channel: the requester and one other member; the outsiders are elsewhere.
      f.setChannel(DEFAULT_CHANNEL, { name: 'builds', members: ['U0BOT', REQUESTER, MEMBER] });
      f.setChannel(OTHER_CHANNEL, { name: 'elsewhere', members: ['U0BOT', ADMIN, ...OUTSIDERS] });
    },
    extraYaml: () => ['access:', `  admins: { users: [${ADMIN}] }`, '  limits: { perUser: 0 }'].join('\n'),
  });
  ({ fake, bot, driver } = e2e);
});

afterAll(() => e2e?.stop());

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
