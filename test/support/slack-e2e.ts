import { expect } from 'vitest';
import { freePort } from '../../src/local/free-port.ts';
import { ACTIONS, BLOCKS } from '../../src/slack/action-ids.ts';
import { DEFAULT_CHANNEL, type FakeMessage, type FakeSlack } from '../fakes/slack-api.ts';
import { type Child, collectLines, startTsx } from './run-process.ts';
import {
  blockActionsPayload,
  sendInteraction,
  sendSlashCommand,
  submittedState,
  viewSubmissionPayload,
} from './slack-requests.ts';

/** Helpers for end-to-end tests that drive the bot as Slack would, against the fake Web API. */

export async function until<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 90_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const buildIdOf = (m: FakeMessage) =>
  /`(b[0-9a-z]{8})`/.exec(m.text)?.[1] ?? /(b[0-9a-z]{8})/.exec(m.text)?.[1] ?? '';
export const blocksText = (m: FakeMessage) => JSON.stringify(m.blocks ?? []);

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

export type ModalValues = Partial<Record<keyof typeof BLOCKS, Record<string, unknown>>>;

export interface SlackDriver {
  /** Top-level messages in a channel (status messages), oldest first. */
  statusMessages(channel?: string): FakeMessage[];
  /** `/bootc-iso build` then a submission of the modal with `values` changed; the HTTP answer to the submission. */
  submitModal(
    bot: string,
    values: ModalValues,
    opts?: { userId?: string; channelId?: string },
  ): ReturnType<typeof sendInteraction>;
  click(bot: string, m: FakeMessage, actionId: string, userId?: string): ReturnType<typeof sendInteraction>;
  /** Waits for the build's message to reach its final state (a Download, Retry or cancelled message). */
  finalMessage(m: FakeMessage, timeoutMs?: number): Promise<FakeMessage>;
}

export function slackDriver(fake: FakeSlack, signingSecret: string, defaultUser: string): SlackDriver {
  const statusMessages = (channel = DEFAULT_CHANNEL) =>
    fake.messages.filter((m) => m.channel === channel && !m.thread_ts);
  return {
    statusMessages,
    async submitModal(bot, values, opts = {}) {
      const userId = opts.userId ?? defaultUser;
      const trigger = fake.issueTrigger(userId);
      const opened = fake.views.length;
      const command = await sendSlashCommand(bot, signingSecret, {
        text: 'build',
        user_id: userId,
        channel_id: opts.channelId ?? DEFAULT_CHANNEL,
        trigger_id: trigger,
        response_url: fake.responseUrl(),
      });
      expect(command.status).toBe(200);
      const view = await until('the modal', () => fake.views[opened]);
      const changes: Record<string, Record<string, unknown>> = {};
      for (const [name, value] of Object.entries(values))
        changes[BLOCKS[name as keyof typeof BLOCKS]] = value;
      const state = submittedState(view.view, changes);
      return sendInteraction(
        bot,
        signingSecret,
        viewSubmissionPayload({ userId, view: view.view, values: state }),
      );
    },
    click(bot, m, actionId, userId = defaultUser) {
      const value = buttonOf(m, actionId)?.value ?? buildIdOf(m);
      return sendInteraction(
        bot,
        signingSecret,
        blockActionsPayload({
          userId,
          channelId: m.channel,
          messageTs: m.ts,
          actionId,
          value,
          triggerId: fake.issueTrigger(userId),
          responseUrl: fake.responseUrl(),
        }),
      );
    },
    finalMessage(m, timeoutMs = 90_000) {
      return until(
        'the final message',
        () => {
          const current = fake.message(m.channel, m.ts);
          if (!current) return undefined;
          const final = buttonOf(current, ACTIONS.download) || buttonOf(current, ACTIONS.retry);
          return final ? current : undefined;
        },
        timeoutMs,
      );
    },
  };
}

/**
 * Starts a build worker and a bot as child processes (the bot on a free port, talking to `fake`) and waits until
 * both are ready. Returns the bot's /slack/events URL; the children go into `children` for the caller to stop.
 */
export async function startWorkerAndBot(
  env: Record<string, string>,
  slack: { fake: FakeSlack; botToken: string; signingSecret: string },
  children: Child[],
): Promise<string> {
  const worker = startTsx('workers/main.ts', env);
  children.push(worker);
  const port = await freePort();
  const bot = startTsx('src/bin/bot.ts', {
    ...env,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.fake.url,
    PORT: String(port),
  });
  children.push(bot);
  await Promise.all([
    collectLines(worker).waitFor(/worker ready/, 60_000),
    collectLines(bot).waitFor(/bot ready/, 60_000),
  ]);
  return `http://127.0.0.1:${port}/slack/events`;
}
