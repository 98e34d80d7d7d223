import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { buildQueue, expectOnlyFinisher } from '../support/fencing-checks.ts';
import { type Child, collectLines, type LineCollector, REPO_ROOT, startTsx } from '../support/run-process.ts';
import { buildIdOf, buttonOf, type SlackDriver, slackDriver, until } from '../support/slack-e2e.ts';
import { forwardPorts } from '../support/tcp-forward.ts';
import { freePort } from '../testbed/free-port.ts';
import { podman, requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

const BOT_TOKEN = 'xoxb-partition-e2e';
const SIGNING_SECRET = 'partition-e2e-signing-secret';
const USER = 'U0PARTUSER';
// Names and addresses of this run only: the namespace, both ends of the veth pair and a /30 of 10.231.0.0/16.
const N = process.pid % 250;
const NS = `bootc-part-${process.pid}`;
const HOST_IF = `vbph${N}`;
const NS_IF = `vbpn${N}`;
const HOST_ADDR = `10.231.${N}.1`;
const NS_ADDR = `10.231.${N}.2`;

let tb: Testbed;
let fake: FakeSlack;
let dir: string;
let bot: string;
let driver: SlackDriver;
let queue: Queue;
let closeHostForward: (() => Promise<void>) | undefined;
const running: Child[] = [];
let cut: { child: Child; out: LineCollector };
let finisher: { child: Child; out: LineCollector };
let finisherEnv: Record<string, string>;

const ip = (...args: string[]) => execa('ip', args);

async function containers(filter: string): Promise<string[]> {
  const { stdout } = await podman(tb.podman, ['ps', '--all', '--filter', filter, '--format', '{{.Names}}']);
  return stdout.split('\n').filter(Boolean);
}

function startWorker(env: Record<string, string>, inNamespace: boolean) {
  const child = inNamespace
    ? // nsenter switches only the network namespace (`ip netns exec` also remounts /sys, hiding the cgroup mount
      // the container runtime needs) and execs node itself: its pid is the worker's.
      execa('nsenter', [`--net=/run/netns/${NS}`, 'node', '--import', 'tsx', 'workers/main.ts'], {
        all: true,
        reject: false,
        cwd: REPO_ROOT,
        env,
        forceKillAfterDelay: 30_000,
      })
    : startTsx('workers/main.ts', env);
  running.push(child);
  return { child, out: collectLines(child) };
}

beforeAll(async () => {
  requireTools([...TESTBED_TOOLS, 'ip', 'nsenter']);
  tb = await startTestbed();
  fake = await startFakeSlack({ botToken: BOT_TOKEN, botUserId: 'U0BOT' });
  driver = slackDriver(fake, SIGNING_SECRET, USER);
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-partition-e2e-'));
  queue = buildQueue(tb);

  await ip('netns', 'add', NS);
  await ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
  await ip('link', 'set', NS_IF, 'netns', NS);
  await ip('addr', 'add', `${HOST_ADDR}/30`, 'dev', HOST_IF);
  await ip('link', 'set', HOST_IF, 'up');
  await ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_ADDR}/30`, 'dev', NS_IF);
  await ip('netns', 'exec', NS, 'ip', 'link', 'set', NS_IF, 'up');
  await ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
  // The worker keeps the testbed's 127.0.0.1 addresses: forwarders carry Redis, S3 and the registry across the veth.
  const ports = [tb.redis.url, tb.s3.endpoint, `http://${tb.registry.host}`].map((u) =>
    Number(new URL(u).port),
  );
  closeHostForward = await forwardPorts(HOST_ADDR, '127.0.0.1', ports);
  const nsForward = execa(
    'ip',
    [
      'netns',
      'exec',
      NS,
      'node',
      '--import',
      'tsx',
      'test/support/tcp-forward.ts',
      '127.0.0.1',
      HOST_ADDR,
      ...ports.map(String),
    ],
    { all: true, reject: false, cwd: REPO_ROOT },
  );
  running.push(nsForward);
  await collectLines(nsForward).waitFor(/forwarding/, 30_000);

  const envs: Record<string, Record<string, string>> = {};
  for (const host of ['host-cut', 'host-ok']) {
    const hostDir = join(dir, host);
    await mkdir(hostDir, { recursive: true });
    const { env } = await writeE2eConfig(tb, hostDir, tb.registry, { extraYaml: '  lockSeconds: 10' });
    envs[host] = { ...env, WORKER_NAME: host };
  }
  finisherEnv = envs['host-ok'] ?? {};
  const port = await freePort();
  bot = `http://127.0.0.1:${port}/slack/events`;
  const botChild = startTsx('src/bin/bot.ts', {
    ...finisherEnv,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: String(port),
  });
  running.push(botChild);
  // Only the namespaced worker at first, so that it is the one that takes the build.
  cut = startWorker(envs['host-cut'] ?? {}, true);
  await Promise.all([
    collectLines(botChild).waitFor(/bot ready/, 60_000),
    cut.out.waitFor(/worker ready/, 90_000),
  ]);
}, 600_000);

afterAll(async () => {
  await ip('link', 'set', HOST_IF, 'up').catch(() => undefined);
  for (const child of running) child.kill('SIGTERM');
  await Promise.all(running.map((c) => c.catch(() => undefined)));
  await closeHostForward?.();
  // Removing the namespace removes its end of the veth pair, and with it the host's end.
  await ip('netns', 'del', NS).catch(() => undefined);
  await ip('link', 'del', HOST_IF).catch(() => undefined);
  await queue?.close();
  await fake?.stop();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('network partition', () => {
  it('a host cut off from Redis longer than its lock stops its builder within 10 s and publishes nothing', async () => {
    const before = driver.statusMessages().length;
    await driver.submitModal(bot, { preset: { selected_option: { value: 'slow' } } });
    const message = await until('the status message', () => driver.statusMessages()[before]);
    const buildId = buildIdOf(message);
    await until(
      'the cut host’s builder',
      async () => (await containers(`label=io.bootc-iso.host=host-cut`)).length > 0,
      120_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; the cut host said:\n${cut.out.lines.slice(-30).join('\n')}`);
    });
    finisher = startWorker(finisherEnv, false);
    await finisher.out.waitFor(/worker ready/, 60_000);

    await ip('link', 'set', HOST_IF, 'down');
    const cutAt = Date.now();
    await until(
      'the cut host’s builder gone',
      async () => (await containers(`label=io.bootc-iso.host=host-cut`)).length === 0,
      10_000,
    );
    const goneAfter = Date.now() - cutAt;
    await finisher.out
      .waitFor(new RegExp(`"buildId":"${buildId}".*build started`), 90_000)
      .catch(async (error) => {
        const job = await queue.getJob(buildId);
        const state = await job?.getState();
        throw new Error(
          `${String(error).slice(0, 300)}; job ${state} ${job?.failedReason ?? ''}; the cut host said:\n` +
            cut.out.lines.slice(-25).join('\n'),
        );
      });
    const takenOverAfter = Date.now() - cutAt;
    // Reconnected while the finisher builds, well past the lock.
    await new Promise((r) => setTimeout(r, Math.max(0, 15_000 - (Date.now() - cutAt))));
    await ip('link', 'set', HOST_IF, 'up');
    const cutFor = Date.now() - cutAt;

    const done = await driver.finalMessage(message, 180_000);
    expect(buttonOf(done, ACTIONS.download)).toBeDefined();
    expect(JSON.stringify(done.blocks)).toContain('host-ok');
    // Time for anything the reconnected host still had queued to arrive (and be refused).
    await new Promise((r) => setTimeout(r, 5_000));
    const { listed } = await expectOnlyFinisher(tb, queue, buildId, 'host-ok');
    const thread = fake.replies(message.channel, message.ts).map((r) => r.text);
    expect(thread.filter((t) => /failed/i.test(t))).toEqual([]);
    expect(cut.out.lines.join('\n')).toMatch(/build lock lost/);
    console.log(
      `partition: host cut for ${Math.round(cutFor / 1000)} s (lock 10 s); its builder gone ${goneAfter} ms after ` +
        `the cut; taken over after ${Math.round(takenOverAfter / 1000)} s; ${listed.length} objects, all the ` +
        'finisher’s; 0 stale writes after reconnecting',
    );
  });
});
