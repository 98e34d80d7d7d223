import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';
import { writeE2eConfig } from './e2e-env.ts';
import type { Child } from './run-process.ts';
import { type SlackDriver, slackDriver, startWorkerAndBot } from './slack-e2e.ts';

/** The testbed, the fake Slack, a config for both, one worker and the bot (HTTP mode), ready. */
export interface SlackE2e {
  tb: Testbed;
  fake: FakeSlack;
  dir: string;
  env: Record<string, string>;
  /** The bot's /slack/events URL. */
  bot: string;
  driver: SlackDriver;
  /** Stops the processes, the fake and the testbed, and removes the directory; safe after a half start. */
  stop(): Promise<void>;
}

export interface SlackE2eOptions {
  /** The prefix of the test's temporary directory. */
  name: string;
  botToken: string;
  signingSecret: string;
  /** Who the driver acts as unless told otherwise. */
  user: string;
  /** Channels, user groups: what the workspace has before the bot starts. */
  workspace?: (fake: FakeSlack) => void;
  /** Config lines after the worker section (an `access:` block...); given the test's directory. */
  extraYaml?: (dir: string) => string;
  /** More presets (one YAML line each), written after files they name were put in the test's directory. */
  presets?: (dir: string, tb: Testbed) => Promise<string[]> | string[];
}

export async function startSlackE2e(o: SlackE2eOptions): Promise<SlackE2e> {
  requireTools(TESTBED_TOOLS);
  const tb = await startTestbed();
  const children: Child[] = [];
  let fake: FakeSlack | undefined;
  let dir: string | undefined;
  const stop = async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => child.catch(() => undefined)));
    await fake?.stop();
    await tb.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    fake = await startFakeSlack({ botToken: o.botToken, botUserId: 'U0BOT' });
    o.workspace?.(fake);
    dir = await mkdtemp(join(tmpdir(), `bootc-iso-${o.name}-`));
    const presets = (await o.presets?.(dir, tb)) ?? [];
    const { env } = await writeE2eConfig(tb, dir, tb.registry, {
      extraYaml: o.extraYaml?.(dir) ?? '',
      presets,
    });
    const slack = { fake, botToken: o.botToken, signingSecret: o.signingSecret };
    const bot = await startWorkerAndBot(env, slack, children);
    return { tb, fake, dir, env, bot, driver: slackDriver(fake, o.signingSecret, o.user), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
