import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../src/slack/action-ids.ts';
import {
  buildListReply,
  COMMANDS,
  deniedReply,
  helpReply,
  notInChannelReply,
  presetsReply,
  statusReply,
} from '../../../src/slack/messages/command-replies.ts';
import {
  CHANNEL_ID,
  config,
  expectSafeMessage,
  HOSTILE,
  NOW,
  request,
  result,
  status,
  USER_ID,
} from './slack-fixtures.ts';

describe('helpReply', () => {
  it('lists every command of the table, ephemerally', () => {
    const reply = helpReply();
    expectSafeMessage(reply);
    expect(reply.response_type).toBe('ephemeral');
    const text = JSON.stringify(reply.blocks);
    for (const c of COMMANDS) expect(text).toContain(c.usage.replace('<', '&lt;').replace('>', '&gt;'));
    expect(text).toContain('`/bootc-iso status &lt;build-id&gt;` — ');
  });

  it('puts the problem first, escaped', () => {
    const reply = helpReply(`unknown command ${HOSTILE}`);
    expectSafeMessage(reply, { allowedIds: [] });
    expect(JSON.stringify(reply.blocks[0])).toContain('unknown command');
  });
});

describe('presetsReply', () => {
  it('shows each preset with its description, image and builder', () => {
    const reply = presetsReply(config);
    expectSafeMessage(reply);
    const text = JSON.stringify(reply.blocks);
    expect(text).toContain('*centos-stream9* — CentOS Stream 9 bootc');
    expect(text).toContain('`registry.redhat.io/rhel10/rhel-bootc:10.1` · builder `rhel10`');
  });

  it('fits 1000 presets with long descriptions into 50 blocks and says how many are left out', () => {
    const presets: Record<string, { image: string; builder: string; description: string }> = {};
    for (let i = 0; i < 1000; i++) {
      presets[`p${i}-${'n'.repeat(60)}`] = {
        image: `quay.io/org/${'i'.repeat(900)}:${i}`,
        builder: 'b',
        description: HOSTILE.repeat(5),
      };
    }
    const reply = presetsReply({ presets });
    expectSafeMessage(reply, { allowedIds: [] });
    expect(reply.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(reply.blocks.at(-1))).toMatch(/and \d+ more not shown/);
  });

  it('says so when there are no presets', () => {
    expect(presetsReply({ presets: {} }).text).toBe('No presets are configured');
  });
});

describe('buildListReply', () => {
  it('lists builds newest first with a download link while it is valid', () => {
    const older = status({
      buildId: 'b00000001',
      state: 'completed',
      result: result(),
      request: request({ requestedAt: '2026-01-30T00:00:00Z' }),
    });
    const newer = status({ buildId: 'b00000002', state: 'running' });
    const expired = status({
      buildId: 'b00000003',
      state: 'completed',
      result: result(),
      linkExpired: true,
      request: request({ requestedAt: '2026-01-01T00:00:00Z' }),
    });
    const reply = buildListReply([older, expired, newer], 'mine', NOW);
    expectSafeMessage(reply, { allowedUrls: [result().link.url] });
    const text = JSON.stringify(reply.blocks);
    expect(text.indexOf('b00000002')).toBeLessThan(text.indexOf('b00000001'));
    expect(text.indexOf('b00000001')).toBeLessThan(text.indexOf('b00000003'));
    expect(text.match(/\|Download>/g)).toHaveLength(1);
    expect(text).toContain('Your recent builds');
  });

  it('fits 1000 hostile builds into 50 blocks with a note', () => {
    const items = Array.from({ length: 1000 }, (_, i) =>
      status({
        buildId: `${HOSTILE}${i}`,
        state: 'completed',
        result: result({
          link: { url: `https://s3.example.com/${'a'.repeat(2500)}`, expiresAt: '2027-01-01T00:00:00Z' },
        }),
        request: request({
          source: `quay.io/org/${'a'.repeat(900)}:t`,
          requester: { kind: 'cli', user: '<!channel>' },
        }),
      }),
    );
    const reply = buildListReply(items, 'all', NOW);
    expectSafeMessage(reply, { allowedIds: [] });
    expect(JSON.stringify(reply.blocks.at(-1))).toMatch(/Showing the newest \d+ of 1000/);
  });

  it('says when there are no builds', () => {
    expect(buildListReply([], 'channel').text).toBe('Recent builds in this channel: none');
  });
});

describe('statusReply', () => {
  it('keeps only link buttons from the status message', () => {
    const reply = statusReply(
      status({ state: 'completed', result: result(), logUrl: 'https://s3.example.com/log' }),
    );
    expectSafeMessage(reply);
    const actions = reply.blocks.filter((b) => b.type === 'actions');
    const ids = JSON.stringify(actions);
    expect(ids).toContain(ACTIONS.download);
    expect(ids).toContain(ACTIONS.openLog);
    expect(ids).not.toContain(ACTIONS.freshLink);
  });

  it('drops the actions block when no link button is left', () => {
    const reply = statusReply(status({ state: 'running' }));
    expect(reply.blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});

describe('notInChannelReply and deniedReply', () => {
  it('tells how to invite the bot, linking the channel by id only', () => {
    const reply = notInChannelReply(CHANNEL_ID, true);
    expectSafeMessage(reply, { allowedIds: [CHANNEL_ID] });
    expect(reply.text).toContain('/invite @bootc-iso');
    expect(reply.text).toContain(`<#${CHANNEL_ID}>`);
    expectSafeMessage(notInChannelReply('<!channel>', false), { allowedIds: [] });
  });

  it('escapes the reason for a refusal', () => {
    const reply = deniedReply(HOSTILE.repeat(100));
    expectSafeMessage(reply, { allowedIds: [] });
    expect(reply.text.length).toBeLessThanOrEqual(300);
  });

  it('uses a mention only for a real Slack id', () => {
    expect(JSON.stringify(statusReply(status()))).toContain(`<@${USER_ID}>`);
  });
});
