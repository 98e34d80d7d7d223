import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { createBotOps } from '../../src/http/bot-ops.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { startBot } from '../../src/slack/start-bot.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { sampleValue, scrape } from '../support/prometheus.ts';
import { freePort } from '../testbed/free-port.ts';
import { type RedisHandle, startRedis } from '../testbed/index.ts';

const BOT_TOKEN = 'xoxb-ops-test-token-77c1';
const ADMIN_USER = 'operator';
const ADMIN_PASSWORD = 'dashboard-Passw0rd-ops-5e1a';
const logger = pino({ level: 'silent' });

let redis: RedisHandle;
let fake: FakeSlack;
let withAdmin: string;
let withoutAdmin: string;
const stops: (() => Promise<void>)[] = [];

async function bot(extraEnv: Record<string, string>): Promise<string> {
  const port = await freePort();
  const config = loadConfig(
    {
      REDIS_URL: redis.url,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: 'ops-test-signing-secret',
      SLACK_API_URL: fake.url,
      PORT: String(port),
      ...extraEnv,
    },
    { role: 'bot' },
  );
  stops.push(await startBot(config, logger));
  return `http://127.0.0.1:${port}`;
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const admin = { authorization: basic(ADMIN_USER, ADMIN_PASSWORD) };

beforeAll(async () => {
  redis = await startRedis();
  fake = await startFakeSlack({ botToken: BOT_TOKEN });
  withAdmin = await bot({ ADMIN_USER, ADMIN_PASSWORD });
  withoutAdmin = await bot({});
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await fake?.stop();
  await redis?.stop();
});

describe("the bot's /readyz and /metrics", () => {
  it('is ready once Redis answers and the Slack app has started, next to the /healthz liveness probe', async () => {
    const ready = await fetch(`${withAdmin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, redis: 'ready', slack: 'started' });
    expect((await fetch(`${withAdmin}/healthz`)).status).toBe(200);
  });

  it('reports queue depth per queue and state, Redis up and the process metrics', async () => {
    const queue = new Queue(buildQueueName('aarch64'), {
      connection: { url: redis.url },
      prefix: QUEUE_PREFIX,
    });
    const before = await scrape(`${withAdmin}/metrics`);
    expect(sampleValue(before, 'bootc_iso_queue_jobs', { queue: 'builds-aarch64', state: 'waiting' })).toBe(
      0,
    );
    await queue.add('build', { any: 'thing' }, { jobId: 'bmetrics1' });
    await queue.add('build', { any: 'thing' }, { jobId: 'bmetrics2', delay: 60_000 });
    const after = await scrape(`${withAdmin}/metrics`);
    expect(sampleValue(after, 'bootc_iso_queue_jobs', { queue: 'builds-aarch64', state: 'waiting' })).toBe(1);
    expect(sampleValue(after, 'bootc_iso_queue_jobs', { queue: 'builds-aarch64', state: 'delayed' })).toBe(1);
    // The bots' event bridge turns those jobs' events into notify jobs: that queue is reported too.
    expect(
      sampleValue(after, 'bootc_iso_queue_jobs', { queue: 'notify', state: 'completed' }),
    ).toBeGreaterThanOrEqual(0);
    expect(sampleValue(after, 'bootc_iso_redis_up', { role: 'bot' })).toBe(1);
    expect(sampleValue(after, 'nodejs_heap_size_used_bytes', { role: 'bot' })).toBeGreaterThan(0);
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('reports not ready, and Redis down in its metrics, when Redis does not answer', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const connection = new Redis(`redis://127.0.0.1:${port}`, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    connection.on('error', () => undefined);
    const queue = new Queue('builds-x86_64', { connection, prefix: QUEUE_PREFIX });
    queue.on('error', () => undefined);
    const ops = createBotOps({ ops: {}, redis: connection, queues: [queue] });
    ops.markStarted();
    const route = (path: string) => ops.routes.find((r) => r.path === path);
    expect(route('/admin/queues')).toBeUndefined();
    const server = createServer((req, res) => route(req.url ?? '')?.handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ok: false, slack: 'started' });
      const text = await scrape(`${base}/metrics`);
      expect(sampleValue(text, 'bootc_iso_redis_up')).toBe(0);
      expect(sampleValue(text, 'bootc_iso_queue_jobs', { queue: 'builds-x86_64' })).toBeUndefined();
    } finally {
      server.close();
      await queue.close().catch(() => undefined);
      connection.disconnect();
    }
  });
});

describe('the queue dashboard at /admin/queues', () => {
  it('refuses requests without the right credentials with a basic-auth challenge', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: basic(ADMIN_USER, 'wrong-password-000000') },
      { authorization: basic('someone', ADMIN_PASSWORD) },
      { authorization: 'Bearer abc' },
    ]) {
      for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/x.js']) {
        const response = await fetch(`${withAdmin}${path}`, { headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="bootc-iso admin"/);
        expect(await response.text()).not.toContain('queue');
      }
    }
  });

  it('serves the dashboard, its static assets and its API with the right credentials', async () => {
    const page = await fetch(`${withAdmin}/admin/queues`, { headers: admin });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('bootc-iso queues');
    expect(html).toContain('/admin/queues/');
    const asset = /(?:src|href)="([^"]*static\/[^"]+\.(?:js|css))"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const assetUrl = new URL(asset ?? '', `${withAdmin}/admin/queues/`);
    const assetResponse = await fetch(assetUrl, { headers: admin });
    expect(assetResponse.status, assetUrl.pathname).toBe(200);

    const api = await fetch(`${withAdmin}/admin/queues/api/queues`, { headers: admin });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    const names = body.queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['builds-x86_64', 'builds-aarch64', 'notify']));
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
    const deepLink = await fetch(`${withAdmin}/admin/queues/queue/builds-x86_64`, { headers: admin });
    expect(deepLink.status).toBe(200);
  });

  it('changes nothing: write requests are not routed', async () => {
    const pause = await fetch(`${withAdmin}/admin/queues/api/queues/builds-x86_64/pause`, {
      method: 'PUT',
      headers: admin,
    });
    expect(pause.status).toBe(404);
    const queue = new Queue(buildQueueName('x86_64'), {
      connection: { url: redis.url },
      prefix: QUEUE_PREFIX,
    });
    expect(await queue.isPaused()).toBe(false);
    await queue.close();
  });

  it('does not exist when ADMIN_USER and ADMIN_PASSWORD are unset', async () => {
    expect((await fetch(`${withoutAdmin}/admin/queues`, { headers: admin })).status).toBe(404);
    expect((await fetch(`${withoutAdmin}/metrics`)).status).toBe(200);
  });
});
