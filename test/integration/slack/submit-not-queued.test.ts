import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { BuildQueues } from '../../../src/queue/build-producer.ts';
import { findBuild } from '../../../src/queue/find-build.ts';
import { ACTIONS } from '../../../src/slack/action-ids.ts';
import { startBot } from '../../../src/slack/start-bot.ts';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack-api.ts';
import { blocksText, buildIdOf, buttonOf, slackDriver, until } from '../../support/slack-e2e.ts';
import { freePort } from '../../testbed/free-port.ts';
import { type RedisHandle, startRedis } from '../../testbed/index.ts';

// A build the bot accepts while storage is down: its audit record cannot be stored, so it is not queued. Slack
// must say exactly that (no job exists), not "failed" with a Retry button that would find nothing.

const BOT_TOKEN = 'xoxb-not-queued-test';
const SECRET = 'not-queued-signing-secret';
const USER = 'U0NOTQUEUED';

let redis: RedisHandle;
let fake: FakeSlack;
let dir: string;
let bot: string;
let stopBot: (() => Promise<void>) | undefined;

beforeAll(async () => {
  redis = await startRedis();
  fake = await startFakeSlack({ botToken: BOT_TOKEN });
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-not-queued-'));
  await writeFile(
    join(dir, 'bootc-iso.yaml'),
    [
      'builders:',
      '  demo: { image: "registry.example.com/demo/builder:1" }',
      'defaultBuilder: demo',
      'presets:',
      '  demo: { image: "registry.example.com/demo/os:1", builder: demo, description: "demo OS" }',
      'allowedRegistries: ["registry.example.com"]',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  // Nothing listens on this port: every storage request is refused, as during the soak's storage outage.
  const deadStorage = `http://127.0.0.1:${await freePort()}`;
  const config = loadConfig(
    {
      REDIS_URL: redis.url,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.url,
      PORT: String(port),
      BOOTC_ISO_CONFIG: join(dir, 'bootc-iso.yaml'),
      S3_ENDPOINT: deadStorage,
      S3_REGION: 'us-east-1',
      S3_BUCKET: 'isos',
      S3_ACCESS_KEY_ID: 'not-queued-key',
      S3_SECRET_ACCESS_KEY: 'not-queued-secret',
      S3_FORCE_PATH_STYLE: 'true',
    },
    { role: 'bot' },
  );
  stopBot = await startBot(config, pino({ level: 'silent' }));
  bot = `http://127.0.0.1:${port}/slack/events`;
});

afterAll(async () => {
  await stopBot?.();
  await fake?.stop();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a build submitted while its audit record cannot be stored', () => {
  it('is not queued, and its message says so with no Retry button', async () => {
    const driver = slackDriver(fake, SECRET, USER);
    const answer = await driver.submitModal(bot, { preset: { selected_option: { value: 'demo' } } });
    expect(answer.status).toBe(200);
    const posted = await until('the status message', () => driver.statusMessages()[0]);
    const buildId = buildIdOf(posted);
    const final = await until(
      'the "not queued" message',
      () => {
        const m = fake.message(posted.channel, posted.ts);
        return m && /not queued/.test(m.text) ? m : undefined;
      },
      30_000,
    );
    expect(final.text).toContain(`ISO build ${buildId} not queued`);
    expect(blocksText(final)).toMatch(/upload of builds\/b[0-9a-z]{8}\/audit\.jsonl failed/);
    expect(blocksText(final)).toContain('Submit the build again');
    expect(buttonOf(final, ACTIONS.retry)).toBeUndefined();
    expect(buttonOf(final, ACTIONS.download)).toBeUndefined();
    // No job anywhere: the message is the whole truth.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const queues = new BuildQueues(connection);
    try {
      expect(await findBuild(queues, buildId)).toBeUndefined();
    } finally {
      await queues.close();
      connection.disconnect();
    }
  }, 90_000);
});
