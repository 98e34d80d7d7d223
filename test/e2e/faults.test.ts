import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, collectLines, type LineCollector, startTsx } from '../support/run-process.ts';
import { buildIdOf, buttonOf, type SlackDriver, slackDriver, until } from '../support/slack-e2e.ts';
import { freePort } from '../testbed/free-port.ts';
import { podman, requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

const BOT_TOKEN = 'xoxb-faults-e2e';
const SIGNING_SECRET = 'faults-e2e-signing-secret';
const USER = 'U0FAULTUSER';

let tb: Testbed;
let fake: FakeSlack;
let dir: string;
let bot: string;
let driver: SlackDriver;
const envs: Record<string, Record<string, string>> = {};
const running: { child: Child; out: LineCollector }[] = [];

function start(entry: string, env: Record<string, string>) {
  const child = startTsx(entry, env);
  const handle = { child, out: collectLines(child) };
  running.push(handle);
  return handle;
}

async function containers(filter: string): Promise<string[]> {
  const { stdout } = await podman(tb.podman, ['ps', '--all', '--filter', filter, '--format', '{{.Names}}']);
  return stdout.split('\n').filter(Boolean);
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  fake = await startFakeSlack({ botToken: BOT_TOKEN, botUserId: 'U0BOT' });
  driver = slackDriver(fake, SIGNING_SECRET, USER);
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-faults-e2e-'));
  // Two build hosts: each its own work directory and name (they share this machine's podman storage).
  for (const host of ['host-a', 'host-b']) {
    const hostDir = join(dir, host);
    await mkdir(hostDir, { recursive: true });
    const { env } = await writeE2eConfig(tb, hostDir, tb.registry, { extraYaml: '  lockSeconds: 10' });
    envs[host] = { ...env, WORKER_NAME: host };
  }
  const port = await freePort();
  bot = `http://127.0.0.1:${port}/slack/events`;
  const botHandle = start('src/bin/bot.ts', {
    ...(envs['host-a'] ?? {}),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: String(port),
  });
  const workers = ['host-a', 'host-b'].map((host) => start('workers/main.ts', envs[host] ?? {}));
  await Promise.all([botHandle, ...workers].map((h) => h.out.waitFor(/(bot|worker) ready/, 60_000)));
});

afterAll(async () => {
  for (const { child } of running) child.kill('SIGTERM');
  await Promise.all(running.map(({ child }) => child.catch(() => undefined)));
  await fake?.stop();
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('faults', () => {
  it('finishes a build on another host after its host is killed mid-build, with one retry note and one result', async () => {
    const before = driver.statusMessages().length;
    await driver.submitModal(bot, { preset: { selected_option: { value: 'slow' } } });
    const message = await until('the status message', () => driver.statusMessages()[before]);
    const buildId = buildIdOf(message);
    // Find which host runs it, from its container's label, and kill that worker without any clean-up.
    const name = await until(
      'the builder container',
      async () => (await containers(`label=io.bootc-iso.build=${buildId}`))[0],
      60_000,
    );
    const { stdout: victim } = await podman(tb.podman, [
      'inspect',
      '--format',
      '{{index .Config.Labels "io.bootc-iso.host"}}',
      String(name),
    ]);
    const victimHost = victim.trim();
    const victimHandle = running.find((h) =>
      h.out.lines.some((l) => l.includes('worker ready') && l.includes(`"host":"${victimHost}"`)),
    );
    expect(victimHandle).toBeDefined();
    victimHandle?.child.kill('SIGKILL');
    const killedAt = Date.now();

    const done = await driver.finalMessage(message, 150_000);
    console.log(
      `faults: build finished ${Math.round((Date.now() - killedAt) / 1000)} s after its host was killed`,
    );
    expect(buttonOf(done, ACTIONS.download)).toBeDefined();
    const texts = fake.replies(message.channel, message.ts).map((r) => r.text);
    expect(texts.filter((t) => /another host|retrying/i.test(t))).toHaveLength(1);
    expect(texts.filter((t) => /ready/i.test(t))).toHaveLength(1);
    const survivor = victimHost === 'host-a' ? 'host-b' : 'host-a';
    expect(JSON.stringify(done.blocks)).toContain(survivor);
    console.log(
      `faults: 1/1 builds completed after worker kill (${victimHost} killed, ${survivor} finished it)`,
    );
  });

  it('removes a crashed run’s container when its worker comes back, found by label', async () => {
    // A container of host-c's that outlived its worker (as after a SIGKILL): the stand-in in hang mode.
    await podman(tb.podman, [
      'pull',
      '--tls-verify=false',
      '--creds',
      `${tb.registry.username}:${tb.registry.password}`,
      tb.builderRef,
    ]);
    await podman(tb.podman, [
      'run',
      '-d',
      '--name',
      'bootc-iso-orphan',
      '--label',
      'io.bootc-iso.host=host-c',
      '--label',
      'io.bootc-iso.managed=true',
      '-e',
      'BIB_STANDIN_MODE=hang',
      '--entrypoint',
      '/bin/sh',
      tb.builderRef,
      '-c',
      'sleep 600',
    ]);
    expect(await containers('label=io.bootc-iso.host=host-c')).toEqual(['bootc-iso-orphan']);
    const comeback = start('workers/main.ts', { ...(envs['host-a'] ?? {}), WORKER_NAME: 'host-c' });
    await comeback.out.waitFor(/worker ready/, 60_000);
    expect(await containers('label=io.bootc-iso.host=host-c')).toEqual([]);
    expect(comeback.out.lines.join('\n')).toContain('removed containers left by an earlier run');
  });

  it('hands a build back instead of failing it when its host is low on disk, and another host builds it', async () => {
    // Only a host without enough disk is running.
    const workers = running.filter((r) => r.out.lines.some((l) => l.includes('worker ready')));
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map(({ child }) => child.catch(() => undefined)));
    const fullDir = join(dir, 'host-full');
    await mkdir(fullDir, { recursive: true });
    const { env: fullEnv } = await writeE2eConfig(tb, fullDir, tb.registry, { minFreeDiskGiB: 1_000_000 });
    const full = start('workers/main.ts', { ...fullEnv, WORKER_NAME: 'host-full' });
    await full.out.waitFor(/worker ready/, 60_000);

    const before = driver.statusMessages().length;
    await driver.submitModal(bot, { preset: { selected_option: { value: 'demo' } } });
    const message = await until('the status message', () => driver.statusMessages()[before]);
    await full.out.waitFor(/handing the build back to the queue/, 60_000);
    // Not failed for the requester: no Retry button, and the build is waiting for a host.
    await new Promise((r) => setTimeout(r, 6000));
    expect(buttonOf(fake.message(message.channel, message.ts) ?? message, ACTIONS.retry)).toBeUndefined();

    const healthy = start('workers/main.ts', envs['host-b'] ?? {});
    await healthy.out.waitFor(/worker ready/, 60_000);
    const done = await driver.finalMessage(message, 120_000);
    expect(buttonOf(done, ACTIONS.download)).toBeDefined();
    expect(JSON.stringify(done.blocks)).toContain('host-b');
    console.log('faults: 1/1 builds refused by a low-disk host completed on another host, 0 failed');
  });
});
