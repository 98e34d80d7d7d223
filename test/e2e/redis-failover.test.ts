import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostArch } from '../../src/domain/host-arch.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { checkArtifacts } from '../support/artifact-checks.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, collectLines, type LineCollector, startTsx } from '../support/run-process.ts';
import { buildIdOf, buttonOf, type SlackDriver, slackDriver, until } from '../support/slack-e2e.ts';
import { freePort } from '../testbed/free-port.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';
import { SENTINEL_MASTER_NAME, type SentinelGroup, startSentinelGroup } from '../testbed/sentinel.ts';

const BOT_TOKEN = 'xoxb-failover-e2e';
const SIGNING_SECRET = 'failover-e2e-signing-secret';
const USER = 'U0FAILOVER';

let tb: Testbed;
let group: SentinelGroup;
let fake: FakeSlack;
let driver: SlackDriver;
let dir: string;
let bot: string;
let cliEnv: Record<string, string>;
const running: { child: Child; out: LineCollector }[] = [];

function start(entry: string, env: Record<string, string>) {
  const child = startTsx(entry, env);
  const handle = { child, out: collectLines(child) };
  running.push(handle);
  return handle;
}

beforeAll(async () => {
  requireTools([...TESTBED_TOOLS, 'redis-sentinel']);
  [tb, group] = await Promise.all([startTestbed(), startSentinelGroup()]);
  fake = await startFakeSlack({ botToken: BOT_TOKEN, botUserId: 'U0BOT' });
  driver = slackDriver(fake, SIGNING_SECRET, USER);
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-redis-failover-'));
  const sentinelEnv = {
    // With Sentinel the URL's host and port are ignored: the sentinels name the master.
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_SENTINELS: group.sentinelList,
    REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME,
  };
  const envs: Record<string, string>[] = [];
  for (const host of ['host-a', 'host-b']) {
    const hostDir = join(dir, host);
    await mkdir(hostDir, { recursive: true });
    const { env } = await writeE2eConfig(tb, hostDir, tb.registry);
    envs.push({ ...env, ...sentinelEnv, WORKER_NAME: host });
  }
  cliEnv = envs[0] ?? {};
  const port = await freePort();
  bot = `http://127.0.0.1:${port}/slack/events`;
  const botHandle = start('src/bin/bot.ts', {
    ...cliEnv,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: String(port),
  });
  const workers = envs.map((env) => start('workers/main.ts', env));
  await Promise.all([botHandle, ...workers].map((h) => h.out.waitFor(/(bot|worker) ready/, 60_000)));
});

afterAll(async () => {
  for (const { child } of running) child.kill('SIGTERM');
  await Promise.all(running.map(({ child }) => child.catch(() => undefined)));
  await fake?.stop();
  await group?.stop();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Redis failover under Sentinel', () => {
  it('finishes every queued and running build exactly once after the master is killed mid-build', async () => {
    // Two builds from Slack (one slow, one quick) and four slow ones from the CLI, each with its own kernel
    // argument so no two are identical builds: six distinct builds for two single-slot hosts.
    const messages = [];
    for (const preset of ['slow', 'demo']) {
      const before = driver.statusMessages().length;
      await driver.submitModal(bot, { preset: { selected_option: { value: preset } } });
      messages.push(await until('the status message', () => driver.statusMessages()[before]));
    }
    const ids = messages.map(buildIdOf);
    for (let i = 0; i < 4; i++) {
      const run = await execa(
        'node',
        [
          'bin/bootc-iso.js',
          'build',
          '--preset',
          'slow',
          '--kernel-arg',
          `failover.n=${i}`,
          '--detach',
          '--json',
        ],
        { env: cliEnv, extendEnv: true },
      );
      ids.push(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}').buildId);
    }
    expect(ids.every((id) => /^b[0-9a-z]{8}$/.test(id))).toBe(true);

    const connection = {
      sentinels: group.sentinelList.split(',').map((hp) => {
        const [host, port] = hp.split(':');
        return { host: host ?? '', port: Number(port) };
      }),
      name: SENTINEL_MASTER_NAME,
      maxRetriesPerRequest: null,
    };
    const queue = new Queue(buildQueueName(hostArch()), { connection, prefix: QUEUE_PREFIX });
    // Connection errors while the master is down are expected; the reads below retry through the failover.
    queue.on('error', () => undefined);
    try {
      // Kill the master while two builds run and the rest wait.
      await until(
        'two builds running',
        async () => (await queue.getActiveCount()) === 2 && (await queue.getWaitingCount()) >= 1,
        90_000,
      );
      await until(
        'a builder started',
        () => running.some((h) => h.out.lines.some((l) => l.includes('running builder'))),
        60_000,
      );
      const oldPort = await group.killMaster();
      const killedAt = Date.now();
      const newPort = await group.waitForFailover(oldPort);
      const failoverSeconds = (Date.now() - killedAt) / 1000;

      const states = await until(
        'every build to finish',
        async () => {
          const s = await Promise.all(ids.map((id) => queue.getJobState(id)));
          return s.every((x) => x === 'completed' || x === 'failed') ? s : undefined;
        },
        240_000,
      );
      const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
      const lines = running.flatMap((h) => h.out.lines);
      // Builder starts per build: the worker logs "running builder" once for each builder container it starts.
      const starts = ids.map(
        (id) => lines.filter((l) => l.includes(id) && l.includes('running builder')).length,
      );
      const s3 = createS3Store({ ...tb.s3, forcePathStyle: true });
      const checks = await Promise.all(
        jobs.map((job, i) =>
          checkArtifacts(
            { client: s3.client, bucket: tb.s3.bucket },
            ids[i] ?? '',
            job?.returnvalue?.manifestKey ?? `builds/${ids[i]}/manifest.json`,
          ),
        ),
      );
      const finals = await Promise.all(messages.map((m) => driver.finalMessage(m, 60_000)));
      const lost = (states ?? []).filter((s) => s !== 'completed').length;
      const twice = starts.filter((n) => n > 1).length;
      console.log(
        `redis failover: builds: ${ids.length}, lost: ${lost}, run twice: ${twice}, ` +
          `failover seconds: ${failoverSeconds.toFixed(1)} (master :${oldPort} → :${newPort}), ` +
          `builder starts ${JSON.stringify(starts)}, attempts ${JSON.stringify(jobs.map((j) => j?.attemptsMade))}`,
      );
      expect(states).toEqual(ids.map(() => 'completed'));
      expect(starts).toEqual(ids.map(() => 1));
      expect(checks.flatMap((c) => c.problems)).toEqual([]);
      // The Slack messages end right: a Download button, no Retry, and one "ready" reply each.
      for (const [i, done] of finals.entries()) {
        expect(buttonOf(done, ACTIONS.download)).toBeDefined();
        expect(buttonOf(done, ACTIONS.retry)).toBeUndefined();
        const m = messages[i];
        if (!m) continue;
        const replies = fake.replies(m.channel, m.ts).map((r) => r.text);
        expect(replies.filter((t) => /ready/i.test(t))).toHaveLength(1);
      }
    } finally {
      await queue.close();
    }
  });
});
