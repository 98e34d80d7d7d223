import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostArch } from '../../src/domain/host-arch.ts';
import { ACTIONS, BLOCKS } from '../../src/slack/action-ids.ts';
import { DEFAULT_CHANNEL, type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { WORKER_NAME, writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, startTsx } from '../support/run-process.ts';
import {
  blocksText,
  buildIdOf,
  buttonOf,
  type SlackDriver,
  slackDriver,
  startWorkerAndBot,
  until,
} from '../support/slack-e2e.ts';
import { sendSlashCommand } from '../support/slack-requests.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

// The fleet in Slack: /bootc-iso workers, the form offering the arches that have a live host, and
// the note on a build queued for an arch without one. One real worker (this host's arch) and one bot.

const BOT_TOKEN = 'xoxb-workers-e2e';
const SIGNING_SECRET = 'workers-e2e-signing-secret';
const USER = 'U0WORKERS1';
const OTHER_ARCH = hostArch() === 'x86_64' ? 'aarch64' : 'x86_64';

let tb: Testbed;
let fake: FakeSlack;
let dir: string;
let bot: string;
let driver: SlackDriver;
let base: Record<string, string>;
const children: Child[] = [];

interface Option {
  value: string;
  text: { text: string };
}

async function ask(text: string): Promise<string> {
  const responseUrl = fake.responseUrl();
  const id = responseUrl.split('/').at(-1) ?? '';
  const reply = await sendSlashCommand(bot, SIGNING_SECRET, {
    text,
    user_id: USER,
    channel_id: DEFAULT_CHANNEL,
    trigger_id: fake.issueTrigger(USER),
    response_url: responseUrl,
  });
  expect(reply.status).toBe(200);
  const answered = await until(
    `an answer to "${text}"`,
    () => fake.responses.find((r) => r.id === id),
    15_000,
  );
  expect(answered.body.response_type).toBe('ephemeral');
  return JSON.stringify(answered.body);
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  fake = await startFakeSlack({ botToken: BOT_TOKEN, botUserId: 'U0BOT' });
  driver = slackDriver(fake, SIGNING_SECRET, USER);
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-slack-workers-'));
  const { env } = await writeE2eConfig(tb, dir, tb.registry);
  // A preset only an entitled RHEL host may build; this host is not one (nor declared one).
  const configPath = join(dir, 'bootc-iso.yaml');
  const yaml = await readFile(configPath, 'utf8');
  await writeFile(
    configPath,
    yaml.replace(
      'presets:\n',
      `presets:\n  rhel-demo: { image: "${tb.sourceRef}", builder: standin, description: "RHEL demo", requires: [rhel-entitlement] }\n`,
    ),
  );
  base = { ...env, METRICS_PORT: 'off' };
  bot = await startWorkerAndBot(base, { fake, botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET }, children);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => child.catch(() => undefined)));
  await fake?.stop();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('build hosts in Slack', () => {
  it('lists the live worker with /bootc-iso workers', async () => {
    const answer = await ask('workers');
    expect(answer).toContain('Build hosts online: 1');
    expect(answer).toContain(WORKER_NAME);
    expect(answer).toContain(hostArch());
    expect(answer).toContain('0 of 1 building');
  });

  it('offers the live arch first in the form and marks the others, within the trigger’s 3 s', async () => {
    const opened = fake.views.length;
    const started = Date.now();
    await sendSlashCommand(bot, SIGNING_SECRET, {
      text: 'build',
      user_id: USER,
      channel_id: DEFAULT_CHANNEL,
      trigger_id: fake.issueTrigger(USER),
      response_url: fake.responseUrl(),
    });
    const view = await until('the modal', () => fake.views[opened]);
    console.log(`slack: modal opened ${Date.now() - started} ms after the command (live arches read first)`);
    const blocks = (view.view.blocks ?? []) as {
      block_id?: string;
      element?: { options?: Option[]; initial_option?: Option };
    }[];
    const arch = blocks.find((b) => b.block_id === BLOCKS.arch)?.element;
    expect(arch?.initial_option?.value).toBe(hostArch());
    expect(arch?.options?.[0]?.text.text).toBe(hostArch());
    const other = arch?.options?.find((o) => o.value === OTHER_ARCH);
    expect(other?.text.text).toBe(`${OTHER_ARCH} (no build host online)`);
  });

  it('queues a build for an arch without a host and says in its thread that it waits', async () => {
    const before = driver.statusMessages().length;
    const answer = await driver.submitModal(bot, {
      preset: { selected_option: { value: 'demo' } },
      arch: { selected_option: { value: OTHER_ARCH, text: { type: 'plain_text', text: OTHER_ARCH } } },
    });
    expect(answer.status).toBe(200);
    const message = await until('the status message', () => driver.statusMessages()[before]);
    expect(buildIdOf(message)).toMatch(/^b[0-9a-z]{8}$/);
    expect(blocksText(message)).toContain(OTHER_ARCH);
    const note = await until('the no-host note', () =>
      fake.replies(message.channel, message.ts).find((r) => r.text.includes('No build host for')),
    );
    expect(note.text).toContain(`*${OTHER_ARCH}*`);
    expect(note.text).toContain('waits in the queue');

    // It never runs here, so its Cancel removes it from the queue: the message and the thread say so, at once.
    const current = fake.message(message.channel, message.ts) ?? message;
    expect(buttonOf(current, ACTIONS.cancel)).toBeDefined();
    expect((await driver.click(bot, current, ACTIONS.cancel)).status).toBe(200);
    const cancelled = await until('the cancelled message', () => {
      const m = fake.message(message.channel, message.ts);
      return m && /cancelled/i.test(blocksText(m)) ? m : undefined;
    });
    expect(blocksText(cancelled)).toContain(`<@${USER}>`);
    expect(buttonOf(cancelled, ACTIONS.cancel)).toBeUndefined();
    await until('the cancelled note', () =>
      fake.replies(message.channel, message.ts).find((r) => r.text.startsWith('Cancelled by')),
    );
    expect(fake.responses.some((r) => JSON.stringify(r.body).includes('was removed from the queue'))).toBe(
      true,
    );
  });

  it('shows a build cancelled from the CLI as cancelled by that user, never as still queued', async () => {
    const before = driver.statusMessages().length;
    await driver.submitModal(bot, {
      preset: { selected_option: { value: 'demo' } },
      arch: { selected_option: { value: OTHER_ARCH, text: { type: 'plain_text', text: OTHER_ARCH } } },
    });
    const message = await until('the status message', () => driver.statusMessages()[before]);
    const buildId = buildIdOf(message);
    await until('the queued message', () => {
      const m = fake.message(message.channel, message.ts);
      return m && /queued/i.test(blocksText(m)) ? m : undefined;
    });
    const cancel = await startTsx('src/bin/cli.ts', base, ['cancel', buildId]);
    expect(cancel.exitCode, cancel.all).toBe(0);
    expect(cancel.stdout).toContain('removed from the queue');
    const shown = await until(
      'the message saying who cancelled',
      () => {
        const m = fake.message(message.channel, message.ts);
        return m && /Cancelled by/.test(blocksText(m)) ? m : undefined;
      },
      20_000,
    );
    const text = blocksText(shown);
    expect(text).toContain('(CLI)');
    expect(text).not.toMatch(/queued/i);
    expect(buttonOf(shown, ACTIONS.cancel)).toBeUndefined();
  });

  it('keeps a build that needs an entitled host waiting, saying so in the form and in its thread', async () => {
    const opened = fake.views.length;
    await sendSlashCommand(bot, SIGNING_SECRET, {
      text: 'build',
      user_id: USER,
      channel_id: DEFAULT_CHANNEL,
      trigger_id: fake.issueTrigger(USER),
      response_url: fake.responseUrl(),
    });
    const view = await until('the modal', () => fake.views[opened]);
    const preset = (
      (view.view.blocks ?? []) as {
        block_id?: string;
        hint?: { text: string };
        element?: { options?: (Option & { description?: { text: string } })[] };
      }[]
    ).find((b) => b.block_id === BLOCKS.preset);
    expect(preset?.element?.options?.find((o) => o.value === 'rhel-demo')?.description?.text).toBe(
      'RHEL demo · ISOs: RHEL hosts only',
    );
    expect(preset?.hint?.text).toContain('none is online now, so those builds wait');

    const before = driver.statusMessages().length;
    const answer = await driver.submitModal(bot, {
      preset: { selected_option: { value: 'rhel-demo' } },
      arch: { selected_option: { value: hostArch(), text: { type: 'plain_text', text: hostArch() } } },
    });
    expect(answer.status).toBe(200);
    const message = await until('the status message', () => driver.statusMessages()[before]);
    const note = await until('the no-entitled-host note', () =>
      fake.replies(message.channel, message.ts).find((r) => r.text.includes('rhel-entitlement')),
    );
    expect(note.text).toContain(`No *${hostArch()}* build host with *rhel-entitlement*`);
    // The live worker of this arch does not take it.
    await new Promise((r) => setTimeout(r, 2000));
    const current = fake.message(message.channel, message.ts) ?? message;
    expect(blocksText(current)).toMatch(/queued/i);
    expect((await driver.click(bot, current, ACTIONS.cancel)).status).toBe(200);
    await until('the cancelled message', () => {
      const m = fake.message(message.channel, message.ts);
      return m && /cancelled/i.test(blocksText(m)) ? m : undefined;
    });
  });
});
