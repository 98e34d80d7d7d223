import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKey } from '../../src/local/signing-key.ts';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { createLocalStore } from '../../src/storage/local-store.ts';
import { DEFAULT_CHANNEL, type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { FRESH_HOST_UNSET, writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, collectLines, type LineCollector, startTsx } from '../support/run-process.ts';
import {
  blocksText,
  buildIdOf,
  buttonOf,
  type SlackDriver,
  slackDriver,
  until,
} from '../support/slack-e2e.ts';
import { sendSlashCommand } from '../support/slack-requests.ts';
import { freePort } from '../testbed/free-port.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

// `npm start` as a person on a fresh host runs it: Slack settings only. No REDIS_URL (a private redis-server is
// started), no S3 (ISOs stay in DATA_DIR/artifacts and the bot serves them on its own port behind signed links).

const BOT_TOKEN = 'xoxb-single-host-7c1e';
const SIGNING_SECRET = 'single-host-signing-secret-2f9a';
const USER = 'U0REQUESTER';
const UNSET: readonly string[] = FRESH_HOST_UNSET;

let tb: Testbed;
let fake: FakeSlack;
let slack: SlackDriver;
let dir: string;
let dataDir: string;
let env: Record<string, string>;
let port: number;
let bot: string;
let app: { child: Child; out: LineCollector } | undefined;
let redis: { pid: number; port: number };
let build: { id: string; url: string; sha256: string };

/** Starts `node --import tsx src/bin/start.ts` and waits until it is ready; returns its embedded Redis. */
async function startApp(): Promise<{ pid: number; port: number }> {
  const child = startTsx('src/bin/start.ts', env);
  const out = collectLines(child);
  app = { child, out };
  const line = await out.waitFor(/embedded redis ready/, 60_000);
  await out.waitFor(/bootc-iso ready/, 90_000);
  const { redisPid, redisPort } = JSON.parse(line) as { redisPid: number; redisPort: number };
  return { pid: redisPid, port: redisPort };
}

async function stopApp(): Promise<{ exitCode: number | undefined; output: string }> {
  if (!app) throw new Error('not running');
  const { child, out } = app;
  app = undefined;
  child.kill('SIGTERM');
  const result = await child;
  return { exitCode: result.exitCode, output: out.lines.join('\n') };
}

/** Process ids of redis-server processes serving 127.0.0.1:<port> (redis-server sets this as its title). */
async function redisServersOn(redisPort: number): Promise<string> {
  const result = await execa('pgrep', ['-f', `redis-server 127.0.0.1:${redisPort}`], { reject: false });
  return result.stdout.trim();
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  fake = await startFakeSlack({ botToken: BOT_TOKEN, botUserId: 'U0BOT' });
  slack = slackDriver(fake, SIGNING_SECRET, USER);
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-single-host-'));
  dataDir = join(dir, 'data');
  port = await freePort();
  bot = `http://127.0.0.1:${port}/slack/events`;
  const { env: testbedEnv } = await writeE2eConfig(tb, dir, tb.registry, { buildSeconds: 60 });
  env = {
    ...Object.fromEntries(Object.entries(testbedEnv).filter(([name]) => !UNSET.includes(name))),
    ...Object.fromEntries(UNSET.map((name) => [name, ''])),
    DATA_DIR: dataDir,
    PORT: String(port),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
  };
  redis = await startApp();
});

afterAll(async () => {
  if (app) await stopApp().catch(() => undefined);
  await fake?.stop();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm start: bot, worker and Redis in one process, ISOs served by the bot', () => {
  it('runs a private redis-server on 127.0.0.1 and keeps its data under DATA_DIR', async () => {
    expect(await redisServersOn(redis.port)).toBe(String(redis.pid));
    expect(await readdir(join(dataDir, 'redis'))).toContain('appendonlydir');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  });

  it('builds from the modal and serves the ISO on the bot port behind a signed link matching the sha256', async () => {
    const before = slack.statusMessages().length;
    const submit = await slack.submitModal(bot, {
      preset: { type: 'static_select', selected_option: { value: 'demo' } },
      volumeId: { type: 'plain_text_input', value: 'SINGLE_HOST' },
    });
    expect(submit.status).toBe(200);
    const message = await until('the status message', () => slack.statusMessages()[before]);
    const done = await slack.finalMessage(message);
    const url = buttonOf(done, ACTIONS.download)?.url ?? '';
    expect(url).toMatch(
      new RegExp(
        // Images are stored under the attempt that made them.
        `^http://localhost:${port}/downloads/builds/b[0-9a-z]{8}/attempts/[0-9a-f]{16}/install\\.iso\\?expires=\\d+&sig=[0-9a-f]{64}&`,
      ),
    );

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="b[0-9a-z]{8}-install\.iso"$/,
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(blocksText(done)).toContain(sha256);
    expect(bytes.subarray(0x8001, 0x8006).toString()).toBe('CD001');
    build = { id: buildIdOf(done), url, sha256 };
    expect(await readdir(join(dataDir, 'artifacts', 'builds', build.id))).toEqual(
      expect.arrayContaining(['attempts', 'build.log', 'manifest.json']),
    );
    expect((await stat(join(dataDir, 'artifacts', isoKey(build.url)))).size).toBe(bytes.length);
  });

  it('refuses expired, tampered and unsigned links with 403', async () => {
    const good = new URL(build.url);
    const key = isoKey(build.url);
    const anHourAgo = createLocalStore({
      root: join(dataDir, 'artifacts'),
      publicUrl: `http://localhost:${port}`,
      signingKey: await loadSigningKey(dataDir),
      now: () => Date.now() - 3_600_000,
    });
    const expired = (await anHourAgo.presignGet(key, { ttlSeconds: 60, filename: `${build.id}-install.iso` }))
      .url;
    const change = (name: string, value: string | null) => {
      const copy = new URL(good);
      if (value === null) copy.searchParams.delete(name);
      else copy.searchParams.set(name, value);
      return copy.toString();
    };
    const sig = good.searchParams.get('sig') ?? '';
    const refused: Record<string, string> = {
      expired,
      sig: change('sig', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`),
      expires: change('expires', String(Number(good.searchParams.get('expires')) + 1)),
      filename: change('filename', 'other.iso'),
      unsigned: change('sig', null),
      key: build.url.replace('/install.iso?', '/build.log?'),
    };
    for (const [what, url] of Object.entries(refused)) {
      const response = await fetch(url);
      expect(response.status, what).toBe(403);
      expect(await response.text(), what).toMatch(what === 'expired' ? /expired/ : /not (valid|signed)/);
    }
  });

  it('stops on SIGTERM with exit code 0, and its redis-server goes with it', async () => {
    const { exitCode, output } = await stopApp();
    expect(exitCode, output.slice(-2000)).toBe(0);
    expect(await redisServersOn(redis.port)).toBe('');
    expect(() => process.kill(redis.pid, 0)).toThrow();
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('keeps builds and download links across a restart (append-only file, persisted signing key)', async () => {
    redis = await startApp();
    const responseUrl = fake.responseUrl();
    const reply = await sendSlashCommand(bot, SIGNING_SECRET, {
      text: `status ${build.id}`,
      user_id: USER,
      channel_id: DEFAULT_CHANNEL,
      trigger_id: fake.issueTrigger(USER),
      response_url: responseUrl,
    });
    expect(reply.status).toBe(200);
    const id = responseUrl.split('/').at(-1) ?? '';
    const answer =
      reply.body ||
      JSON.stringify(
        (await until('the status answer', () => fake.responses.find((r) => r.id === id), 15_000)).body,
      );
    expect(answer).toContain(build.id);
    const response = await fetch(build.url);
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(build.sha256);
    const { exitCode } = await stopApp();
    expect(exitCode).toBe(0);
    expect(await redisServersOn(redis.port)).toBe('');
  });
});

/** The storage key a local download link points at (its path after /downloads/). */
function isoKey(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\/downloads\//, ''));
}
