import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannelMembers } from '../../../src/slack/access/channel-members.ts';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack-api.ts';

const TOKEN = 'xoxb-members-test';
let fake: FakeSlack;
let client: WebClient;

beforeAll(async () => {
  fake = await startFakeSlack({ botToken: TOKEN });
  client = new WebClient(TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
});

afterAll(async () => {
  await fake?.stop();
});

describe('channel membership for link visibility', () => {
  it('follows next_cursor through every page, as Slack pages conversations.members', async () => {
    const members = Array.from({ length: 2500 }, (_, i) => `U${String(i).padStart(6, '0')}`);
    fake.setChannel('C0BIG', { name: 'big', members });
    const isMember = createChannelMembers(client);
    expect(await isMember('C0BIG', 'U000000')).toBe(true);
    // On the third page of 1000.
    expect(await isMember('C0BIG', 'U002499')).toBe(true);
    expect(await isMember('C0BIG', 'U0NOTHERE')).toBe(false);
    expect(fake.callsTo('conversations.members')).toHaveLength(3);
  });

  it('fails closed: a channel the bot cannot read has no members, and the failure is not cached', async () => {
    fake.setChannel('G0HIDDEN', { name: 'hidden', isPrivate: true, botIsMember: false, members: ['U0A'] });
    const isMember = createChannelMembers(client);
    expect(await isMember('G0HIDDEN', 'U0A')).toBe(false);
    expect(await isMember('', 'U0A')).toBe(false);
    fake.setChannel('G0HIDDEN', { name: 'hidden', isPrivate: true, botIsMember: true, members: ['U0A'] });
    expect(await isMember('G0HIDDEN', 'U0A')).toBe(true);
  });

  it('gives up after its timeout instead of holding up a reply', async () => {
    const stuck = { conversations: { members: () => new Promise(() => undefined) } };
    const isMember = createChannelMembers(stuck as never, { timeoutMs: 50 });
    expect(await isMember('C0ANY', 'U0A')).toBe(false);
  });
});
