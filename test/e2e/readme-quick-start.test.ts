import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, BLOCKS } from '../../src/slack/action-ids.ts';
import { DEFAULT_CHANNEL, type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { FRESH_HOST_UNSET, writeE2eConfig } from '../support/e2e-env.ts';
import { REPO_ROOT } from '../support/run-process.ts';
import { blocksText, buttonOf, until } from '../support/slack-e2e.ts';
import { submittedState, viewSubmissionPayload } from '../support/slack-requests.ts';
import { freePort } from '../testbed/free-port.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

// The README, followed literally: its two quick-start lines and its first build, as a newcomer pastes them into a
// fresh checkout. What the testbed cannot be is substituted and nothing else: the package managers are recorded
// instead of run (the testbed already has the packages, and `npm ci` ran before the tests), the Slack tokens are
// test tokens against the local fake Slack, reached over Socket Mode as a real workspace would be, and the preset
// is the testbed's, since quay.io is out of reach. The checkout is a directory of its own whose only config is
// ./config/bootc-iso.yaml.

const BOT_TOKEN = 'xoxb-readme-1f4e';
const APP_TOKEN = 'xapp-1-readme-6a3e';
const USER = 'U0README01';
/** A fresh host, and no config or Slack tokens but the README's own. */
const UNSET = [
  ...FRESH_HOST_UNSET,
  'DATA_DIR',
  'BOOTC_ISO_CONFIG',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
];
const clean = Object.fromEntries(UNSET.map((name) => [name, '']));

/** The code lines of the fenced block between `<!-- name -->` and `<!-- /name -->` in README.md. */
function readmeBlock(readme: string, name: string): string[] {
  const start = readme.indexOf(`<!-- ${name} -->`);
  const end = readme.indexOf(`<!-- /${name} -->`);
  if (start < 0 || end < start) throw new Error(`README.md has no <!-- ${name} --> block`);
  return readme
    .slice(start, end)
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('<!--') && !line.startsWith('```'));
}

/** Replaces `from` with `to` in a README line, failing when the README no longer says `from`. */
function substitute(line: string, from: string, to: string): string {
  expect(line, `the README line should contain ${from}`).toContain(from);
  return line.replace(from, to);
}

let tb: Testbed;
let fake: FakeSlack;
let home: string;
let port: number;
let quickStart: string[];
let firstBuild: string[];
let app: ReturnType<typeof execa> | undefined;
let appOutput = '';
let cliSha256 = '';

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  quickStart = readmeBlock(readme, 'quick-start');
  firstBuild = readmeBlock(readme, 'first-build');
  tb = await startTestbed();
  fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN, botUserId: 'U0BOT' });
  home = await mkdtemp(join(tmpdir(), 'bootc-iso-readme-'));
  // The checkout after `npm ci`: the package, its compiled code and dependencies.
  for (const entry of ['package.json', 'dist', 'node_modules', 'bin']) {
    await symlink(join(REPO_ROOT, entry), join(home, entry));
  }
  await mkdir(join(home, 'config'));
  await writeE2eConfig(tb, join(home, 'config'), tb.registry, { buildSeconds: 60 });
  port = await freePort();
});

afterAll(async () => {
  if (app?.pid) {
    try {
      process.kill(-app.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await fake?.stop();
  await tb?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('the README quick start, pasted into a fresh checkout', () => {
  it('is exactly two lines: one install, one start', () => {
    expect(quickStart).toHaveLength(2);
    expect(quickStart[0]).toMatch(/&& npm ci$/);
    expect(quickStart[1]).toMatch(/ npm start$/);
  });

  it('installs podman and Redis with apt-get on Debian/Ubuntu and with dnf on RHEL/Fedora, then runs npm ci', async () => {
    const calls = join(home, 'calls.log');
    const stubs = join(home, 'stubs');
    await mkdir(stubs);
    const stub = async (name: string) => {
      await writeFile(join(stubs, name), `#!/bin/sh\necho "${name} $*" >> "${calls}"\n`);
      await chmod(join(stubs, name), 0o755);
    };
    await Promise.all(['apt-get', 'npm'].map(stub));
    const run = async () => {
      await rm(calls, { force: true });
      // PATH holds the stubs only, so no real dnf, apt-get or npm is found; bash needs nothing else.
      const result = await execa('/bin/bash', ['-c', quickStart[0] ?? ''], {
        cwd: home,
        env: { PATH: stubs, HOME: home },
        extendEnv: false,
        reject: false,
      });
      expect(result.exitCode, result.stderr).toBe(0);
      return (await readFile(calls, 'utf8')).trim().split('\n');
    };
    expect(await run()).toEqual(['apt-get update', 'apt-get install -y podman redis-server', 'npm ci']);
    // The Debian packages it names are the ones this (Debian) testbed runs on.
    const installed = await execa('dpkg-query', [
      '-W',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not a JavaScript template
      '-f=${Package} ${Status}\n',
      'podman',
      'redis-server',
    ]);
    expect(installed.stdout.split('\n')).toEqual([
      'podman install ok installed',
      'redis-server install ok installed',
    ]);
    await stub('dnf');
    expect(await run()).toEqual(['dnf install -y podman redis', 'npm ci']);
  });

  it('starts the bot in Socket Mode, a worker and a private Redis with the Slack tokens only', async () => {
    let line = substitute(quickStart[1] ?? '', 'xoxb-...', BOT_TOKEN);
    line = substitute(line, 'xapp-...', APP_TOKEN);
    expect(line).toBe(`SLACK_BOT_TOKEN=${BOT_TOKEN} SLACK_APP_TOKEN=${APP_TOKEN} npm start`);
    app = execa('bash', ['-c', line], {
      cwd: home,
      // The testbed's podman and the fake Slack; the port is a free one rather than 3000.
      env: { ...clean, ...tb.podman.env, SLACK_API_URL: fake.url, PORT: String(port) },
      extendEnv: true,
      detached: true,
      all: true,
      reject: false,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready after 120 s:\n${appOutput.slice(-3000)}`)),
        120_000,
      );
      app?.all?.on('data', (chunk: Buffer) => {
        appOutput += chunk.toString();
        if (appOutput.includes('"msg":"bootc-iso ready"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void app?.then(() => reject(new Error(`npm start exited:\n${appOutput.slice(-3000)}`)));
    });
    expect(appOutput).toContain('"mode":"socket"');
    expect(appOutput).toContain('"redis":"embedded"');
    expect(appOutput).toContain(`"downloads":"http://localhost:${port}/downloads/"`);
    const client = await stat(join(home, 'data', 'client.json'));
    expect(client.mode & 0o777).toBe(0o600);
    // Connected with the app token, over the socket: no public URL, no signing secret.
    await fake.socketMode.waitForConnections(1, 30_000);
    expect(fake.callsTo('apps.connections.open').map((c) => [c.token, c.error])).toEqual([
      [APP_TOKEN, undefined],
    ]);
  });

  it("builds with the README's first bootc-iso command beside it, with no settings, and prints a working ISO link", async () => {
    expect(firstBuild).toHaveLength(1);
    const line = substitute(firstBuild[0] ?? '', '--preset centos-stream9', '--preset demo');
    expect(line).toMatch(/^bin\/bootc-iso\.js build /);
    const run = await execa('bash', ['-c', line], { cwd: home, env: clean, extendEnv: true, reject: false });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    const id = /^queued build (b[0-9a-z]{8}) \(\d+ ahead of it\)$/m.exec(run.stdout)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(run.stdout).toMatch(new RegExp(`^build ${id} complete on \\S+$`, 'm'));
    const url = /^ {2}download: (\S+)$/m.exec(run.stdout)?.[1] ?? '';
    expect(url).toMatch(
      new RegExp(
        `^http://localhost:${port}/downloads/builds/${id}/(attempts/[0-9a-f]+/)?install\\.iso\\?expires=\\d+&sig=[0-9a-f]{64}&`,
      ),
    );
    // Progress and the end of the build went to stderr; stdout holds the result only.
    expect(run.stderr).toContain('[done] build complete (100%)');
    expect(run.stdout).not.toContain('[build]');
    const sha256 = /^ {2}sha256: +([0-9a-f]{64})$/m.exec(run.stdout)?.[1];
    cliSha256 = sha256 ?? '';
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
    expect(bytes.subarray(0x8001, 0x8006).toString()).toBe('CD001');
  });

  // The same request from Slack is identical to the command line's, so, as the README says, it is answered with
  // the same ISO at once; the message still ends the way a build's does.
  it('builds from Slack: `/bootc-iso build` over the socket, Build, and one message that ends with a Download ISO link', async () => {
    const opened = fake.views.length;
    const ack = await fake.socketMode.send('slash_commands', {
      token: 'fake-verification-token',
      team_id: 'T0TEST',
      team_domain: 'test',
      channel_id: DEFAULT_CHANNEL,
      channel_name: 'test',
      user_id: USER,
      user_name: USER.toLowerCase(),
      command: '/bootc-iso',
      text: 'build',
      api_app_id: 'A0FAKEAPP',
      is_enterprise_install: 'false',
      response_url: fake.responseUrl(),
      trigger_id: fake.issueTrigger(USER),
    });
    expect(ack).toEqual({});
    const modal = await until('the build form', () => fake.views[opened], 15_000);
    // The form as it opens, with the testbed's preset chosen in place of centos-stream9.
    const before = fake.messages.filter((m) => m.channel === DEFAULT_CHANNEL && !m.thread_ts).length;
    const accepted = await fake.socketMode.send(
      'interactive',
      viewSubmissionPayload({
        userId: USER,
        view: modal.view,
        values: submittedState(modal.view, {
          [BLOCKS.preset]: { type: 'static_select', selected_option: { value: 'demo' } },
        }),
      }),
    );
    expect(accepted).toEqual({});
    const message = await until(
      'the status message',
      () => fake.messages.filter((m) => m.channel === DEFAULT_CHANNEL && !m.thread_ts)[before],
    );
    const done = await until(
      'the final message',
      () => {
        const m = fake.message(message.channel, message.ts);
        return m && (buttonOf(m, ACTIONS.download) || buttonOf(m, ACTIONS.retry)) ? m : undefined;
      },
      240_000,
    );
    const url = buttonOf(done, ACTIONS.download)?.url ?? '';
    expect(url, blocksText(done)).toMatch(
      new RegExp(
        `^http://localhost:${port}/downloads/builds/b[0-9a-z]{8}/(attempts/[0-9a-f]+/)?install\\.iso\\?expires=\\d+&sig=`,
      ),
    );
    expect(cliSha256).toMatch(/^[0-9a-f]{64}$/);
    // The button, the sha256, the size and the image digests, as the README lists them.
    expect(buttonOf(done, ACTIONS.download)?.text).toMatchObject({ text: 'Download ISO' });
    expect(blocksText(done)).toContain(cliSha256);
    expect(blocksText(done)).toContain('*Size*');
    expect(blocksText(done)).toMatch(/\*Source digest\*\\n`sha256:[0-9a-f]{64}`/);
    const iso = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(createHash('sha256').update(iso).digest('hex')).toBe(cliSha256);
    expect(iso.subarray(0x8001, 0x8006).toString()).toBe('CD001');
    expect(fake.socketMode.problems).toEqual([]);
  });

  it('refuses to follow a build on a Redis that no worker serves, unless detached', async () => {
    const elsewhere = { ...clean, REDIS_URL: tb.redis.url };
    const refused = await execa('node', ['bin/bootc-iso.js', 'build', '--preset', 'demo'], {
      cwd: home,
      env: elsewhere,
      reject: false,
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('no build worker has a live heartbeat on Redis at');
    expect(refused.stdout).toBe('');
    const detached = await execa('node', ['bin/bootc-iso.js', 'build', '--preset', 'demo', '--detach'], {
      cwd: home,
      env: elsewhere,
      reject: false,
    });
    expect(detached.exitCode, detached.stderr).toBe(0);
    expect(detached.stdout).toMatch(/^queued build b[0-9a-z]{8}/);
  });

  it('stops on Ctrl-C (SIGINT to the whole process group) cleanly, taking its Redis and client file with it', async () => {
    if (!app?.pid) throw new Error('not running');
    const pid = Number(/"pid":(\d+)/.exec(appOutput)?.[1]);
    const redisPid = Number(/"redisPid":(\d+)/.exec(appOutput)?.[1]);
    process.kill(-app.pid, 'SIGINT');
    // npm re-raises the signal on itself once its script has ended; the output ends when the app's process does.
    await app;
    app = undefined;
    for (const gone of [pid, redisPid]) expect(() => process.kill(gone, 0), String(gone)).toThrow();
    expect(appOutput).toContain('"msg":"stopping"');
    expect(appOutput).not.toMatch(/second signal|unclean stop|stop took too long|\n\s+at /);
    await expect(stat(join(home, 'data', 'client.json'))).rejects.toThrow(/ENOENT/);
  });
});
