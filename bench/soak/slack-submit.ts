import { setTimeout as sleep } from 'node:timers/promises';
import { BLOCKS } from '../../src/slack/action-ids.ts';
import { DEFAULT_CHANNEL, type FakeMessage, type FakeSlack } from '../../test/fakes/slack-api.ts';
import {
  sendInteraction,
  sendSlashCommand,
  submittedState,
  viewSubmissionPayload,
} from '../../test/support/slack-requests.ts';

// Slack helpers for the soak without the test runner (test/support/slack-e2e.ts asserts with vitest's expect).

export const buildIdOf = (m: FakeMessage) =>
  /`(b[0-9a-z]{8})`/.exec(m.text)?.[1] ?? /(b[0-9a-z]{8})/.exec(m.text)?.[1] ?? '';

export function buttonOf(m: FakeMessage, actionId: string): Record<string, string> | undefined {
  for (const block of (m.blocks ?? []) as {
    elements?: Record<string, string>[];
    accessory?: Record<string, string>;
  }[]) {
    for (const el of [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])]) {
      if (el.action_id === actionId) return el;
    }
  }
  return undefined;
}

export const statusMessages = (fake: FakeSlack) =>
  fake.messages.filter((m) => m.channel === DEFAULT_CHANNEL && !m.thread_ts);

async function poll<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await sleep(200);
  }
  return undefined;
}

/** `/bootc-iso build`, then the modal submitted with `values`; the new status message's build id, or undefined. */
async function submitOnce(
  fake: FakeSlack,
  bot: string,
  secret: string,
  userId: string,
  values: Partial<Record<keyof typeof BLOCKS, Record<string, unknown>>>,
): Promise<string | undefined> {
  const before = statusMessages(fake).length;
  const opened = fake.views.length;
  const command = await sendSlashCommand(bot, secret, {
    text: 'build',
    user_id: userId,
    channel_id: DEFAULT_CHANNEL,
    trigger_id: fake.issueTrigger(userId),
    response_url: fake.responseUrl(),
  });
  if (command.status !== 200) return undefined;
  const view = await poll(() => fake.views[opened], 20_000);
  if (!view) return undefined;
  const changes: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(values)) changes[BLOCKS[name as keyof typeof BLOCKS]] = value;
  const state = submittedState(view.view, changes);
  const answer = await sendInteraction(
    bot,
    secret,
    viewSubmissionPayload({ userId, view: view.view, values: state }),
  );
  if (answer.status !== 200) return undefined;
  const message = await poll(() => statusMessages(fake)[before], 30_000);
  return message && buildIdOf(message);
}

/** Submits one build, retrying while the bot is down or restarting (up to about two minutes). */
export async function submitBuild(
  fake: FakeSlack,
  bot: string,
  secret: string,
  userId: string,
  values: Partial<Record<keyof typeof BLOCKS, Record<string, unknown>>>,
): Promise<string> {
  for (let attempt = 1; attempt <= 40; attempt++) {
    const id = await submitOnce(fake, bot, secret, userId, values).catch(() => undefined);
    if (id) return id;
    await sleep(2000);
  }
  throw new Error(`soak: the bot did not take a build from ${userId} in 40 tries`);
}
