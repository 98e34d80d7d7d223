import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, BLOCKS } from '../../src/slack/action-ids.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import type { FakeSlack } from '../fakes/slack-api.ts';
import { blocksText, buildIdOf, buttonOf, type SlackDriver, until } from '../support/slack-e2e.ts';
import { type SlackE2e, startSlackE2e } from '../support/slack-e2e-host.ts';
import type { Testbed } from '../testbed/index.ts';

const BOT_TOKEN = 'xoxb-access-e2e';
const SIGNING_SECRET = 'access-e2e-signing-secret';
const BUILDER = 'U0BUILDER1';
const OUTSIDER = 'U0OUTSIDE1';
const ADMIN = 'U0ADMINXX1';

let e2e: SlackE2e;
let tb: Testbed;
let fake: FakeSlack;
let dir: string;
let bot: string;
let driver: SlackDriver;

type Answer = { response_action?: string; errors?: Record<string, string> } | undefined;

beforeAll(async () => {
  e2e = await startSlackE2e({
    name: 'access-e2e',
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    user: BUILDER,
    workspace: (f) => f.setUserGroup('S0BUILDERS', [BUILDER, ADMIN]),
    extraYaml: (d) =>
      [
        'access:',
        '  build: { userGroups: [S0BUILDERS] }',
        `  admins: { users: [${ADMIN}] }`,
        `  presets: { broken: { users: [${ADMIN}] } }`,
        '  limits: { perUser: 1 }',
        `  auditLog: "${join(d, 'audit.jsonl')}"`,
      ].join('\n'),
  });
  ({ tb, fake, dir, bot, driver } = e2e);
});

afterAll(() => e2e?.stop());

async function auditLines(): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, 'audit.jsonl'), 'utf8').catch(() => '');
  return text.trim()
    ? text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : [];
}

describe('access control, limits and the audit log', () => {
  it('refuses a build to someone outside the allowed user group, in the form, and queues nothing', async () => {
    const before = fake.messages.length;
    const answer = await driver.submitModal(
      bot,
      { preset: { selected_option: { value: 'demo' } } },
      { userId: OUTSIDER },
    );
    const body = answer.json as Answer;
    expect(body?.response_action).toBe('errors');
    expect(body?.errors?.[BLOCKS.preset]).toContain('not allowed to build');
    expect(fake.messages.length).toBe(before);
    expect(await auditLines()).toContainEqual(
      expect.objectContaining({ who: OUTSIDER, action: 'build', allowed: false, target: 'demo' }),
    );
  });

  it('refuses a restricted preset to a member who may build others', async () => {
    const answer = await driver.submitModal(bot, { preset: { selected_option: { value: 'broken' } } });
    expect((answer.json as Answer)?.errors?.[BLOCKS.preset]).toContain('"broken"');
  });

  it('builds for a group member, refuses a second build over the per-user limit, and audits both', async () => {
    const first = await driver.submitModal(bot, { preset: { selected_option: { value: 'slow' } } });
    expect(first.body).toBe('');
    const message = await until('the status message', () => driver.statusMessages()[0]);
    const buildId = buildIdOf(message);
    const second = await driver.submitModal(bot, { preset: { selected_option: { value: 'demo' } } });
    expect((second.json as Answer)?.errors?.[BLOCKS.preset]).toMatch(/limit is 1/);
    expect(driver.statusMessages()).toHaveLength(1);

    // Someone else may not cancel it; an admin may.
    await until('a Cancel button', () =>
      buttonOf(fake.message(message.channel, message.ts) ?? message, ACTIONS.cancel),
    );
    await driver.click(bot, message, ACTIONS.cancel, OUTSIDER);
    await driver.click(bot, message, ACTIONS.cancel, ADMIN);
    const cancelled = await until('the cancelled message', () => {
      const m = fake.message(message.channel, message.ts);
      return m && /cancelled/i.test(blocksText(m)) ? m : undefined;
    });
    expect(blocksText(cancelled)).toContain(`<@${ADMIN}>`);

    const lines = await auditLines();
    expect(lines).toContainEqual(
      expect.objectContaining({ who: BUILDER, action: 'build', allowed: true, buildId }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ who: BUILDER, action: 'build', allowed: false }));
    expect(lines).toContainEqual(
      expect.objectContaining({ who: OUTSIDER, action: 'cancel', allowed: false, buildId }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ who: ADMIN, action: 'cancel', allowed: true, buildId }),
    );
    for (const line of lines) expect(Date.parse(String(line.at))).not.toBeNaN();

    // The build's own decisions travel with its artifacts.
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const shipped = (await store.getObjectText(`builds/${buildId}/audit.jsonl`)).trim().split('\n');
    expect(shipped.map((l) => JSON.parse(l).action)).toEqual(['build', 'cancel', 'cancel']);
  });
});
