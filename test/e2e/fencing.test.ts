import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCEL_CHANNEL, cancelMarkKey } from '../../src/queue/cancel-requests.ts';
import { workerKey } from '../../src/queue/worker-registry.ts';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { buildQueue, expectOnlyFinisher } from '../support/fencing-checks.ts';
import { type Child, collectLines, type LineCollector, startTsx } from '../support/run-process.ts';
import { buildIdOf, buttonOf, type SlackDriver, slackDriver, until } from '../support/slack-e2e.ts';
import { freePort } from '../testbed/free-port.ts';
import { podman, requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

const BOT_TOKEN = 'xoxb-fencing-e2e';
const SIGNING_SECRET = 'fencing-e2e-signing-secret';
const USER = 'U0FENCEUSER';
const HOSTS = ['host-a', 'host-b'];

let tb: Testbed;
let fake: FakeSlack;
let dir: string;
let bot: string;
let driver: SlackDriver;
let queue: Queue;
let admin: Redis;
const workers: Record<string, { child: Child; out: LineCollector }> = {};
const running: Child[] = [];

async function containers(filter: string): Promise<string[]> {
  const { stdout } = await podman(tb.podman, ['ps', '--all', '--filter', filter, '--format', '{{.Names}}']);
  return stdout.split('\n').filter(Boolean);
}

/** A slow build submitted through Slack, once its builder runs: its message, id and the host running it. */
async function slowBuildRunning() {
  const before = driver.statusMessages().length;
  // "Rebuild anyway": each test needs a builder of its own, not the answer of an earlier identical build.
  await driver.submitModal(bot, {
    preset: { selected_option: { value: 'slow' } },
    rebuild: { type: 'checkboxes', selected_options: [{ value: 'rebuild' }] },
  });
  const message = await until('the status message', () => driver.statusMessages()[before]);
  const buildId = buildIdOf(message);
  const name = await until(
    'the builder container',
    async () => (await containers(`label=io.bootc-iso.build=${buildId}`))[0],
    90_000,
  );
  const { stdout } = await podman(tb.podman, [
    'inspect',
    '--format',
    '{{index .Config.Labels "io.bootc-iso.host"}}',
    String(name),
  ]);
  return { message, buildId, host: stdout.trim() };
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  fake = await startFakeSlack({ botToken: BOT_TOKEN, botUserId: 'U0BOT' });
  driver = slackDriver(fake, SIGNING_SECRET, USER);
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-fencing-e2e-'));
  queue = buildQueue(tb);
  admin = new Redis(tb.redis.url);
  const envs: Record<string, Record<string, string>> = {};
  for (const host of HOSTS) {
    const hostDir = join(dir, host);
    await mkdir(hostDir, { recursive: true });
    // A short lock, so that a frozen host loses its build quickly; a long grace, so that a stop drains.
    const { env } = await writeE2eConfig(tb, hostDir, tb.registry, {
      extraYaml: '  lockSeconds: 10\n  shutdownGraceSeconds: 120',
    });
    envs[host] = { ...env, WORKER_NAME: host };
  }
  const port = await freePort();
  bot = `http://127.0.0.1:${port}/slack/events`;
  const botChild = startTsx('src/bin/bot.ts', {
    ...(envs['host-a'] ?? {}),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: String(port),
  });
  running.push(botChild);
  const botOut = collectLines(botChild);
  for (const host of HOSTS) {
    const child = startTsx('workers/main.ts', envs[host] ?? {});
    running.push(child);
    workers[host] = { child, out: collectLines(child) };
  }
  await Promise.all([
    botOut.waitFor(/bot ready/, 60_000),
    ...HOSTS.map((h) => workers[h]?.out.waitFor(/worker ready/, 60_000)),
  ]);
});

afterAll(async () => {
  for (const child of running) {
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  }
  await Promise.all(running.map((c) => c.catch(() => undefined)));
  admin?.disconnect();
  await queue?.close();
  await fake?.stop();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fencing', () => {
  it('a host frozen past its lock publishes nothing when it wakes: everything is the finisher’s', async () => {
    const { message, buildId, host: frozen } = await slowBuildRunning();
    const finisher = HOSTS.find((h) => h !== frozen) ?? '';
    const victim = workers[frozen];
    const other = workers[finisher];
    if (!victim || !other) throw new Error('unknown host');
    victim.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    // The other host takes the build over once the lock has lapsed, and runs its own builder.
    await other.out.waitFor(new RegExp(`"buildId":"${buildId}".*build started`), 90_000);
    const takenOverAfter = Date.now() - stoppedAt;
    await until(
      'the finisher’s builder',
      async () => (await containers(`label=io.bootc-iso.host=${finisher}`)).length > 0,
      90_000,
    );
    // Woken while the finisher builds: the most overlap a stale attempt can have.
    victim.child.kill('SIGCONT');
    const wokeAt = Date.now();
    await victim.out.waitFor(/build lock lost/, 15_000);
    const stoppedAfter = Date.now() - wokeAt;
    await until(
      'the frozen host’s containers gone',
      async () => (await containers(`label=io.bootc-iso.host=${frozen}`)).length === 0,
      10_000,
    );

    const done = await driver.finalMessage(message, 180_000);
    expect(buttonOf(done, ACTIONS.download)).toBeDefined();
    expect(JSON.stringify(done.blocks)).toContain(finisher);
    const { listed } = await expectOnlyFinisher(tb, queue, buildId, finisher);
    // Nothing from the woken attempt reached Slack: no failure anywhere in the thread or the message.
    const thread = fake.replies(message.channel, message.ts).map((r) => r.text);
    expect(thread.filter((t) => /failed/i.test(t))).toEqual([]);
    expect(JSON.stringify(done.blocks)).not.toMatch(/failed/i);
    const woke = victim.out.lines.filter((l) => l.includes(buildId) && /build (complete|failed)/.test(l));
    expect(woke).toEqual([]);
    console.log(
      `fencing: SIGSTOP ${frozen} mid-build; ${finisher} took over after ${Math.round(takenOverAfter / 1000)} s ` +
        `(lock 10 s); the woken host stopped its attempt ${stoppedAfter} ms after SIGCONT; ${listed.length} objects, ` +
        'all of the finisher’s attempt; 0 stale progress writes, 0 stale Slack updates',
    );
  });

  it('a cancel sent while the subscribers are cut off still stops the build within 10 s', async () => {
    const { buildId, host } = await slowBuildRunning();
    // Cut every subscriber, then remember and broadcast the cancel as the CLI does: the broadcast reaches no one.
    const [, , published] = (await admin
      .pipeline()
      .call('CLIENT', 'KILL', 'TYPE', 'pubsub')
      .set(cancelMarkKey(buildId), 'root via the CLI', 'EX', 3600)
      .publish(CANCEL_CHANNEL, JSON.stringify({ buildId, by: 'root via the CLI' }))
      .exec()) as [unknown, unknown, [Error | null, number]];
    expect(published[1]).toBe(0);
    const sent = Date.now();
    const state = await until(
      'the cancelled build',
      async () =>
        (await queue.getJob(buildId).then((j) => j?.getState())) === 'failed' ? 'failed' : undefined,
      10_000,
    );
    const stoppedAfter = Date.now() - sent;
    expect(state).toBe('failed');
    expect((await queue.getJob(buildId))?.failedReason).toContain('cancelled by root via the CLI');
    await until(
      'its builder container gone',
      async () => (await containers(`label=io.bootc-iso.build=${buildId}`)).length === 0,
      10_000,
    );
    console.log(
      `fencing: cancel broadcast to 0 subscribers (cut); build on ${host} stopped ${stoppedAfter} ms later by the poll`,
    );
  });

  it('a stopping host is listed as draining until its running build has finished', async () => {
    const { message, buildId, host } = await slowBuildRunning();
    const handle = workers[host];
    if (!handle) throw new Error('unknown host');
    handle.child.kill('SIGTERM');
    const draining = await until(
      'the draining heartbeat',
      async () => {
        const raw = await admin.get(workerKey(host));
        return raw && (JSON.parse(raw) as { draining?: boolean }).draining ? raw : undefined;
      },
      10_000,
    );
    expect(JSON.parse(String(draining)).running).toEqual([buildId]);
    const seenDraining: boolean[] = [];
    while ((await queue.getJob(buildId).then((j) => j?.getState())) !== 'completed') {
      seenDraining.push((await admin.get(workerKey(host))) !== null);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Listed all along while the build ran, gone once the worker has stopped.
    expect(seenDraining.every(Boolean)).toBe(true);
    await handle.child.catch(() => undefined);
    expect(await admin.get(workerKey(host))).toBeNull();
    expect((await queue.getJob(buildId))?.returnvalue?.workerHost).toBe(host);
    const done = await driver.finalMessage(message, 60_000);
    expect(buttonOf(done, ACTIONS.download)).toBeDefined();
    console.log(
      `fencing: SIGTERM with a build running: ${host} listed as draining for ${seenDraining.length * 0.5} s, ` +
        'build finished on it, then the heartbeat was removed',
    );
  });
});
