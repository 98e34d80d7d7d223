import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { DEFAULT_CHANNEL, type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, collectLines, type LineCollector, startTsx } from '../support/run-process.ts';
import { addS3rverCredentials } from '../support/s3rver-credentials.ts';
import { createSecretScan, dumpBucket, dumpFiles, dumpRedis, type Secret } from '../support/secrets-scan.ts';
import { blocksText, buttonOf, type SlackDriver, slackDriver, until } from '../support/slack-e2e.ts';
import { type SlackHttpResponse, sendSlashCommand } from '../support/slack-requests.ts';
import { freePort } from '../testbed/free-port.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';
import { ED25519_KEY, SHA512_HASH } from '../unit/domain/fixtures.ts';

/**
 * Builds end to end (one that succeeds, one the builder fails, one with a wrong registry password) with
 * distinctive secrets everywhere, then a scan of every place the system writes for any form of any secret.
 */

const REGISTRY_USER = 'scan-isobuilder';
const SECRETS = {
  registryPassword: 'scanReg-Pw7Hq2Zx91-e2e',
  wrongRegistryPassword: 'scanWrongReg-Pw3Kd8Lm42-e2e',
  s3SecretKey: 'scanS3-Secret9Tn4Wq77-e2e',
  slackBotToken: 'xoxb-scanBot-Token5Rj3Pv28',
  slackSigningSecret: 'scanSigning-Secret2Fh6Yc53',
  adminPassword: 'scanAdmin-Pw8Vb1Nx64-e2e',
};
/** Not a secret (it appears in presigned links by design), but distinctive, so the scan can tell it apart. */
const S3_ACCESS_KEY = 'SCANE2EACCESSKEY01';
const ADMIN_USER = 'scanadmin';
const USER = 'U0SCANUSER1';

let tb: Testbed;
let fake: FakeSlack;
let dir: string;
let env: Record<string, string>;
let passwordFile: string;
let bot: string;
let driver: SlackDriver;
let removeS3Credentials: (() => void) | undefined;
const children: { name: string; child: Child; out: LineCollector }[] = [];
/** Everything the bot answered over HTTP (modal errors, acks, the dashboard), scanned as error texts. */
const answers: { what: string; body: string }[] = [];

function startChild(name: string, entry: string, extraEnv: Record<string, string>) {
  const child = startTsx(entry, { ...env, ...extraEnv });
  const handle = { name, child, out: collectLines(child) };
  children.push(handle);
  return handle;
}

function keep(what: string, response: SlackHttpResponse): SlackHttpResponse {
  answers.push({ what, body: response.body });
  return response;
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed({ registryUser: REGISTRY_USER, registryPassword: SECRETS.registryPassword });
  // s3rver accepts only S3RVER/S3RVER unless told otherwise; a distinctive pair makes the S3 secret scannable.
  removeS3Credentials = addS3rverCredentials(S3_ACCESS_KEY, SECRETS.s3SecretKey);
  fake = await startFakeSlack({ botToken: SECRETS.slackBotToken, botUserId: 'U0BOT' });
  driver = slackDriver(fake, SECRETS.slackSigningSecret, USER);
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-secrets-e2e-'));
  const written = await writeE2eConfig(
    tb,
    dir,
    { username: REGISTRY_USER, password: SECRETS.registryPassword },
    { buildSeconds: 60 },
  );
  passwordFile = written.passwordFile;
  env = {
    ...written.env,
    S3_ACCESS_KEY_ID: S3_ACCESS_KEY,
    S3_SECRET_ACCESS_KEY: SECRETS.s3SecretKey,
    // Debug logs are where a leak would most likely hide.
    LOG_LEVEL: 'debug',
    METRICS_PORT: '0',
  };
  const port = await freePort();
  bot = `http://127.0.0.1:${port}/slack/events`;
  const worker = startChild('worker', 'workers/main.ts', {});
  const botChild = startChild('bot', 'src/bin/bot.ts', {
    SLACK_BOT_TOKEN: SECRETS.slackBotToken,
    SLACK_SIGNING_SECRET: SECRETS.slackSigningSecret,
    SLACK_API_URL: fake.url,
    PORT: String(port),
    ADMIN_USER,
    ADMIN_PASSWORD: SECRETS.adminPassword,
  });
  await Promise.all([worker.out.waitFor(/worker ready/, 60_000), botChild.out.waitFor(/bot ready/, 60_000)]);
});

afterAll(async () => {
  for (const { child } of children) child.kill('SIGTERM');
  await Promise.all(children.map(({ child }) => child.catch(() => undefined)));
  await fake?.stop();
  removeS3Credentials?.();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Submits the modal with a preset (and more fields); waits for the build's final message. */
async function buildFromModal(what: string, values: Parameters<SlackDriver['submitModal']>[1]) {
  const before = driver.statusMessages().length;
  const submit = keep(what, await driver.submitModal(bot, values));
  expect(submit.status).toBe(200);
  const message = await until(`the status message of ${what}`, () => driver.statusMessages()[before]);
  return driver.finalMessage(message, 120_000);
}

const preset = (value: string) => ({ preset: { type: 'static_select', selected_option: { value } } });

describe('secrets scan: builds that succeed and fail, then every log line, key, call and object', () => {
  it('builds an ISO with users and a password hash, and hands out a fresh link', async () => {
    const done = await buildFromModal('the good build', {
      ...preset('demo'),
      users: { type: 'plain_text_input', value: `admin | ${ED25519_KEY} | wheel | ${SHA512_HASH}` },
      volumeId: { type: 'plain_text_input', value: 'SCAN_E2E' },
    });
    const download = buttonOf(done, ACTIONS.download)?.url ?? '';
    expect(download).toContain(S3_ACCESS_KEY);
    expect((await fetch(download)).status).toBe(200);
    keep('fresh link', await driver.click(bot, done, ACTIONS.freshLink));
  });

  it('fails a build in the builder, and its retry fails the same way', async () => {
    const failed = await buildFromModal('the failing build', preset('broken'));
    expect(blocksText(failed)).toContain('osbuild failed');
    const before = driver.statusMessages().length;
    keep('retry', await driver.click(bot, failed, ACTIONS.retry));
    const retried = await until('the retried build', () => driver.statusMessages()[before]);
    await driver.finalMessage(retried, 120_000);
  });

  it('fails a build on a wrong registry password, naming the registry', async () => {
    await writeFile(passwordFile, `${SECRETS.wrongRegistryPassword}\n`);
    try {
      const failed = await buildFromModal('the wrong-password build', preset('demo'));
      expect(blocksText(failed)).toContain(`authentication failed for ${tb.registry.host}`);
    } finally {
      await writeFile(passwordFile, `${SECRETS.registryPassword}\n`);
    }
  });

  it('answers hostile modal input, forged requests, slash commands and the admin dashboard', async () => {
    keep(
      'modal errors',
      await driver.submitModal(bot, {
        image: { type: 'plain_text_input', value: '--privileged' },
        users: { type: 'plain_text_input', value: 'admin | | | hunter2' },
      }),
    );
    const fields = {
      user_id: USER,
      channel_id: DEFAULT_CHANNEL,
      trigger_id: fake.issueTrigger(USER),
      response_url: fake.responseUrl(),
    };
    const forged = keep(
      'forged',
      await sendSlashCommand(
        bot,
        SECRETS.slackSigningSecret,
        { ...fields, text: 'list all' },
        { badSignature: true },
      ),
    );
    expect(forged.status).toBe(401);
    for (const text of ['list all', 'presets', 'status b0000000z', 'help'])
      keep(text, await sendSlashCommand(bot, SECRETS.slackSigningSecret, { ...fields, text }));
    const base = bot.replace('/slack/events', '/admin/queues');
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    for (const [what, authorization] of [
      ['dashboard, right password', basic(ADMIN_USER, SECRETS.adminPassword)],
      ['dashboard, wrong password', basic(ADMIN_USER, 'not-the-admin-password')],
    ] as const) {
      for (const path of ['', '/api/queues']) {
        const response = await fetch(`${base}${path}`, { headers: { authorization } });
        answers.push({ what: `${what} ${path} (${response.status})`, body: await response.text() });
      }
    }
  });

  it('finds no secret in any log line, Redis key, Slack call, response, S3 object, answer or file', async () => {
    // Stop both processes first, so that their shutdown lines are scanned too.
    for (const { child } of children) child.kill('SIGTERM');
    await Promise.all(children.map(({ child }) => child.catch(() => undefined)));

    const secrets: Secret[] = [
      { name: 'registry password', value: SECRETS.registryPassword, user: REGISTRY_USER },
      { name: 'wrong registry password', value: SECRETS.wrongRegistryPassword, user: REGISTRY_USER },
      { name: 'S3 secret key', value: SECRETS.s3SecretKey },
      // s3rver's built-in secret: configured nowhere here, so it must not turn up either.
      { name: 'S3RVER (s3rver default secret)', value: 'S3RVER' },
      { name: 'Slack bot token', value: SECRETS.slackBotToken },
      { name: 'Slack signing secret', value: SECRETS.slackSigningSecret },
      { name: 'admin password', value: SECRETS.adminPassword, user: ADMIN_USER },
    ];
    const scan = createSecretScan(secrets);
    const counts: Record<string, number> = {};
    const count = (kind: string, n = 1) => {
      counts[kind] = (counts[kind] ?? 0) + n;
    };

    for (const { name, out } of children) {
      for (const [i, line] of out.lines.entries()) scan.scan(`${name} log line ${i + 1}`, line);
      count('log lines', out.lines.length);
    }
    for (const { key, value } of await dumpRedis(tb.redis.url)) {
      scan.scan(`redis ${key}`, `${key} ${value}`);
      count('Redis keys');
    }
    fake.calls.forEach((call, i) => {
      // `token` is the Authorization header the fake checked: the bot token belongs there and nowhere else.
      scan.scan(`slack call ${i + 1} ${call.method}`, JSON.stringify({ args: call.args, error: call.error }));
      count('Slack calls');
    });
    for (const m of fake.messages) scan.scan(`slack message ${m.channel}/${m.ts}`, JSON.stringify(m));
    for (const v of fake.views) scan.scan(`slack view ${v.id}`, JSON.stringify(v.view));
    for (const e of fake.ephemerals) scan.scan(`slack ephemeral ${e.message_ts}`, JSON.stringify(e));
    count(
      'Slack messages, views and ephemerals',
      fake.messages.length + fake.views.length + fake.ephemerals.length,
    );
    for (const [i, r] of fake.responses.entries())
      scan.scan(`response_url body ${i + 1}`, JSON.stringify(r.body));
    count('response_url bodies', fake.responses.length);
    for (const a of answers) scan.scan(`HTTP answer: ${a.what}`, a.body);
    count('HTTP answers', answers.length);
    const objects = await dumpBucket({
      ...tb.s3,
      accessKeyId: S3_ACCESS_KEY,
      secretAccessKey: SECRETS.s3SecretKey,
    });
    for (const o of objects) scan.scan(`s3 ${o.key}`, o.body);
    count('S3 objects', objects.length);
    // What is left on disk: the config file, work directories (auth files must be gone). registry.pass holds the
    // password by design.
    const files = await dumpFiles(dir, ['registry.pass']);
    for (const f of files) scan.scan(`file ${f.path}`, f.body);
    count('files', files.length);

    console.log(
      `secrets scan: admin dashboard answers: ${answers
        .filter((a) => a.what.startsWith('dashboard'))
        .map((a) => a.what)
        .join('; ')}`,
    );
    console.log(
      `secrets scan: ${scan.places} places scanned, ${scan.total()} occurrences found (${Object.entries(
        counts,
      )
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}; secrets: ${secrets.map((s) => s.name).join(', ')})`,
    );
    // The scan can see a leak: the password file (excluded above) and an auth.json-style entry are found.
    const control = createSecretScan(secrets);
    control.scan('registry.pass', `${SECRETS.registryPassword}\n`);
    const auth = Buffer.from(`${REGISTRY_USER}:${SECRETS.registryPassword}`).toString('base64');
    control.scan('auth.json', JSON.stringify({ auths: { [tb.registry.host]: { auth } } }));
    expect(control.occurrences.map((o) => o.place)).toEqual(['registry.pass', 'auth.json']);
    // And it scanned real work: the worker logged in (password on stdin) and the bot edited the status messages.
    const workerLines = children.find((c) => c.name === 'worker')?.out.lines ?? [];
    expect(workerLines.some((l) => l.includes('podman login') && l.includes(tb.registry.host))).toBe(true);
    expect(fake.callsTo('chat.update').length).toBeGreaterThan(0);
    expect(objects.some((o) => o.key.endsWith('build.log'))).toBe(true);
    expect(objects.some((o) => o.key.endsWith('manifest.json'))).toBe(true);
    expect(counts['Redis keys'] ?? 0).toBeGreaterThan(0);
    expect(scan.occurrences).toEqual([]);
    expect(scan.total()).toBe(0);
  });
});
