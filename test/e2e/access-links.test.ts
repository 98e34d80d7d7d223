import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRequest } from '../../src/domain/build-request.ts';
import type { BuildResult } from '../../src/queue/build-job.ts';
import { BuildQueues } from '../../src/queue/build-producer.ts';
import { findBuild } from '../../src/queue/find-build.ts';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { DEFAULT_CHANNEL, type FakeMessage, type FakeSlack } from '../fakes/slack-api.ts';
import { buildIdOf, buttonOf, type SlackDriver, until } from '../support/slack-e2e.ts';
import { type SlackE2e, startSlackE2e } from '../support/slack-e2e-host.ts';
import { sendSlashCommand } from '../support/slack-requests.ts';
import type { Testbed } from '../testbed/index.ts';

const BOT_TOKEN = 'xoxb-links-e2e';
const SIGNING_SECRET = 'links-e2e-signing-secret';
const REQUESTER = 'U0REQUEST1';
const MEMBER = 'U0MEMBER01';
const ADMIN = 'U0ADMIN001';
const OUTSIDERS = ['U0OUTSIDE1', 'U0OUTSIDE2'];
const OTHER_CHANNEL = 'C0ELSEWHERE';

let e2e: SlackE2e;
let tb: Testbed;
let fake: FakeSlack;
let bot: string;
let driver: SlackDriver;
let seq = 0;
let redis: Redis;
let queues: BuildQueues;

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
    presets: async (dir, testbed) => {
      // A Containerfile a preset names, read by the bot when it starts.
      const recipe = join(dir, 'recipe.Containerfile');
      await writeFile(recipe, `FROM ${testbed.sourceRef}\nRUN touch /etc/from-the-preset\n`);
      return [
        `disks: { image: "${testbed.sourceRef}", builder: standin, description: "two disks", types: [qcow2, raw] }`,
        `tools: { image: "${testbed.sourceRef}", builder: standin, types: [vhd], packages: [tmux, git] }`,
        `recipe: { image: "${testbed.sourceRef}", builder: standin, containerfile: "${recipe}" }`,
      ];
    },
  });
  ({ tb, fake, bot, driver } = e2e);
  redis = new Redis(tb.redis.url, { maxRetriesPerRequest: 1 });
  queues = new BuildQueues(redis);
});

afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  await e2e?.stop();
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

  it('renews the link of every image and checking file with one Fresh link press, each downloading its own bytes', async () => {
    const before = driver.statusMessages().length;
    // No type ticked: the preset's qcow2 and raw apply.
    await driver.submitModal(bot, { preset: { selected_option: { value: 'disks' } } });
    const message = await until('the status message', () => driver.statusMessages()[before]);
    const buildId = buildIdOf(message);
    const final = await driver.finalMessage(message);
    const result = (await findBuild(queues, buildId))?.job.returnvalue as BuildResult;
    const images = (result.artifacts ?? []).filter((a) => a.role === 'image');
    expect(images.map((a) => a.type)).toEqual(['qcow2', 'raw']);
    const first = linksOf(final);
    expect(Object.keys(first.images)).toEqual(['qcow2', 'raw']);

    // A link signed in the same second as the worker's would be the very same URL: press a second later.
    await new Promise((r) => setTimeout(r, 1100));
    await driver.click(bot, final, ACTIONS.freshLink, REQUESTER);
    const answer = await until('the Fresh link answer', () =>
      fake.responses.find((r) => JSON.stringify(r.body).includes(`Fresh download links for \`${buildId}\``)),
    );
    expect(JSON.stringify(answer.body)).not.toContain('No longer in storage');
    const renewed = await until('the message with new links', () => {
      const now = fake.message(final.channel, final.ts);
      const links = now && linksOf(now);
      return links && links.images.qcow2 !== first.images.qcow2 && links.images.raw !== first.images.raw
        ? links
        : undefined;
    });
    let checked = 0;
    for (const image of images) {
      const url = renewed.images[image.type] ?? '';
      // Signed for the image's own key (the attempt that made it), and serving exactly its bytes.
      expect(decodeURIComponent(url)).toContain(image.key);
      expect(url).not.toBe(image.url);
      expect(await sha256Of(url)).toBe(image.sha256);
      expect(renewed.shown[image.type]).toBe(image.sha256);
      checked += 1;
    }
    const sums = (result.artifacts ?? []).find((a) => a.role === 'checksums');
    expect(sums && renewed.checksums).toBeTruthy();
    expect(renewed.checksums).not.toBe(first.checksums);
    expect(await sha256Of(renewed.checksums ?? '')).toBe(sums?.sha256);
    expect(renewed.log).not.toBe(first.log);
    expect(await sha256Of(renewed.log ?? '')).toMatch(/^[0-9a-f]{64}$/);
    console.log(`fresh links checked by sha256: ${checked} images, 1 checksums file; log link renewed`);
  });

  it("queues a preset's types and derived image from the form as the CLI would", async () => {
    // aarch64 has no build host here: the builds wait in the queue, where their job data is read.
    const queued = async (preset: string) => {
      const before = driver.statusMessages().length;
      const response = await driver.submitModal(bot, {
        preset: { selected_option: { value: preset } },
        arch: { selected_option: { value: 'aarch64' } },
      });
      expect(response.body).toBe('');
      const message = await until(`the ${preset} status message`, () => driver.statusMessages()[before]);
      const job = await until(
        `the ${preset} job`,
        async () => (await findBuild(queues, buildIdOf(message)))?.job,
      );
      if (!job) throw new Error(`no job for ${preset}`);
      return job.data as BuildRequest;
    };
    const tools = await queued('tools');
    expect(tools).toMatchObject({ preset: 'tools', source: tb.sourceRef, type: 'vhd', arch: 'aarch64' });
    expect(tools.types).toBeUndefined();
    expect(tools.containerfile).toBe(`FROM ${tb.sourceRef}\nRUN dnf install -y tmux git && dnf clean all\n`);
    // No one may supply a Containerfile of their own here (access.containerfiles is empty): a preset's is allowed.
    const recipe = await queued('recipe');
    expect(recipe).toMatchObject({ preset: 'recipe', type: 'iso' });
    expect(recipe.containerfile).toBe(`FROM ${tb.sourceRef}\nRUN touch /etc/from-the-preset\n`);
  });
});

/** The links a final status message shows: each image's download button, its listed sha256, checksums and log. */
function linksOf(m: FakeMessage): {
  images: Record<string, string>;
  shown: Record<string, string>;
  checksums?: string;
  log?: string;
} {
  const images: Record<string, string> = {};
  const shown: Record<string, string> = {};
  let checksums: string | undefined;
  let log: string | undefined;
  for (const block of (m.blocks ?? []) as {
    type: string;
    text?: { text: string };
    accessory?: { action_id?: string; url?: string; text?: { text: string } };
    elements?: { text?: string | { text: string }; action_id?: string; url?: string }[];
  }[]) {
    const type = /^\*([a-z0-9-]+)\*/.exec(block.text?.text ?? '')?.[1];
    if (type && block.accessory?.action_id === ACTIONS.download && block.accessory.url) {
      images[type] = block.accessory.url;
      shown[type] = /SHA-256 `([0-9a-f]{64})`/.exec(block.text?.text ?? '')?.[1] ?? '';
    }
    for (const el of block.elements ?? []) {
      const text = typeof el.text === 'string' ? el.text : '';
      const link = /^<([^|>]+)\|Checksums>/.exec(text)?.[1];
      if (link) checksums = link.replaceAll('&amp;', '&');
      if (el.action_id === ACTIONS.openLog) log = el.url;
    }
  }
  return { images, shown, ...(checksums ? { checksums } : {}), ...(log ? { log } : {}) };
}

async function sha256Of(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return createHash('sha256')
    .update(Buffer.from(await response.arrayBuffer()))
    .digest('hex');
}
