import { execa } from 'execa';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildQueues } from '../../src/queue/build-producer.ts';
import { findBuild } from '../../src/queue/find-build.ts';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import type { FakeMessage, FakeSlack } from '../fakes/slack-api.ts';
import { REPO_ROOT } from '../support/run-process.ts';
import { blocksText, buildIdOf, buttonOf, type SlackDriver, until } from '../support/slack-e2e.ts';
import { type SlackE2e, startSlackE2e } from '../support/slack-e2e-host.ts';
import type { Testbed } from '../testbed/index.ts';

const BOT_TOKEN = 'xoxb-approvals-e2e';
const SIGNING_SECRET = 'approvals-e2e-signing-secret';
const REQUESTER = 'U0REQUEST1';
const APPROVER1 = 'U0APPROVE1';
const APPROVER2 = 'U0APPROVE2';
const OUTSIDER = 'U0OUTSIDE1';

let e2e: SlackE2e;
let tb: Testbed;
let fake: FakeSlack;
let bot: string;
let env: Record<string, string>;
let driver: SlackDriver;
let redis: Redis;
let queues: BuildQueues;

beforeAll(async () => {
  e2e = await startSlackE2e({
    name: 'approvals-e2e',
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    user: REQUESTER,
    extraYaml: () =>
      [
        'access:',
        '  presets:',
        `    demo: { approval: { approvers: { users: [${APPROVER1}, ${APPROVER2}] }, count: 2 } }`,
        `    broken: { approval: { approvers: { users: [${APPROVER1}] } } }`,
        // About two seconds to decide.
        `    slow: { approval: { approvers: { users: [${APPROVER1}] }, expiresHours: 0.0006 } }`,
      ].join('\n'),
  });
  ({ tb, fake, bot, env, driver } = e2e);
  redis = new Redis(tb.redis.url, { maxRetriesPerRequest: 1 });
  queues = new BuildQueues(redis);
});

afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  await e2e?.stop();
});

/** Submits `preset` and returns its awaiting-approval message. */
async function submit(preset: string): Promise<FakeMessage> {
  const before = driver.statusMessages().length;
  await driver.submitModal(bot, { preset: { selected_option: { value: preset } } });
  const message = await until('the awaiting-approval message', () => driver.statusMessages()[before]);
  expect(blocksText(message)).toContain('awaiting approval');
  return message;
}

/** Clicks a button and returns the ephemeral answer's text. */
async function click(m: FakeMessage, action: string, user: string): Promise<string> {
  const seen = fake.responses.length;
  await driver.click(bot, m, action, user);
  const answer = await until('the answer', () => fake.responses.slice(seen)[0]);
  return String(answer.body.text ?? '');
}

const current = (m: FakeMessage) => fake.message(m.channel, m.ts) ?? m;

describe('builds that need approval', () => {
  it('wait outside the queue until two approvers (never the requester) approve, then build', async () => {
    const waiting = await submit('demo');
    const buildId = buildIdOf(waiting);
    expect(buttonOf(waiting, ACTIONS.approve)).toBeTruthy();
    // Not in the build queue: it holds no worker slot.
    expect(await findBuild(queues, buildId)).toBeUndefined();

    expect(await click(waiting, ACTIONS.approve, REQUESTER)).toContain('someone else');
    expect(await click(waiting, ACTIONS.approve, OUTSIDER)).toContain('Only the approvers');
    expect(await click(waiting, ACTIONS.approve, APPROVER1)).toContain('1 of 2');
    expect(await click(waiting, ACTIONS.approve, APPROVER1)).toContain('already approved');
    expect(await findBuild(queues, buildId)).toBeUndefined();
    expect(await click(waiting, ACTIONS.approve, APPROVER2)).toContain('queued');

    const status = await until('the build’s status message', () =>
      driver.statusMessages().find((m) => m.ts !== waiting.ts && buildIdOf(m) === buildId),
    );
    const final = await driver.finalMessage(status);
    expect(buttonOf(final, ACTIONS.download)).toBeTruthy();
    expect(blocksText(current(waiting))).toContain('approved, queued');
    expect(buttonOf(current(waiting), ACTIONS.approve)).toBeUndefined();

    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const trail = (await store.getObjectText(`builds/${buildId}/audit.jsonl`))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(trail.map((e) => [e.action, e.who, e.allowed])).toEqual([
      ['await-approval', REQUESTER, true],
      ['approve', REQUESTER, false],
      ['approve', OUTSIDER, false],
      ['approve', APPROVER1, true],
      ['approve', APPROVER1, false],
      ['approve', APPROVER2, true],
      ['build', REQUESTER, true],
    ]);
  });

  it('ends on a denial, and expires with a message when nobody decides in time', async () => {
    const denied = await submit('demo');
    expect(await click(denied, ACTIONS.deny, APPROVER2)).toContain('Denied');
    expect(blocksText(current(denied))).toContain('denied');
    expect(await findBuild(queues, buildIdOf(denied))).toBeUndefined();

    const lapsing = await submit('slow');
    await until('the expiry', () => blocksText(current(lapsing)).includes('approval expired'), 30_000);
    const note = await until('the expiry note', () => fake.replies(lapsing.channel, lapsing.ts)[0]);
    expect(note.text).toContain('not approved in time');
    expect(await click(lapsing, ACTIONS.approve, APPROVER1)).toContain('no longer waiting');
    expect(await findBuild(queues, buildIdOf(lapsing))).toBeUndefined();
  });

  it('can be approved by an operator from the command line', async () => {
    const waiting = await submit('broken');
    const buildId = buildIdOf(waiting);
    const run = await execa('node', ['bin/bootc-iso.js', 'approve', buildId], {
      env,
      extendEnv: true,
      reject: false,
      cwd: REPO_ROOT,
    });
    expect(run.stdout).toContain('approved');
    expect(run.exitCode).toBe(0);
    await until('the queued build', async () => (await findBuild(queues, buildId)) !== undefined, 30_000);
    await until(
      'the updated message',
      () => blocksText(current(waiting)).includes('approved, queued'),
      30_000,
    );
    const again = await execa('node', ['bin/bootc-iso.js', 'deny', buildId], {
      env,
      extendEnv: true,
      reject: false,
      cwd: REPO_ROOT,
    });
    expect(again.exitCode).toBe(1);
  });
});
