// Start-up time of the bot and a build worker, run from the TypeScript sources through tsx and from the compiled
// dist/: the median over N runs of the time from spawning `node` to the process's "ready" log line. Needs
// redis-server and podman (as the worker does); Slack is the tests' local fake. `npx tsx scripts/measure-startup.ts [N]`
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childProcessEnv } from '../src/config/child-env.ts';
import { startFakeSlack } from '../test/fakes/slack-api.ts';
import { freePort } from '../test/testbed/free-port.ts';

const runs = Number(process.argv[2] ?? 5);
const root = new URL('..', import.meta.url).pathname;

function untilLine(args: string[], env: Record<string, string>, pattern: RegExp): Promise<number> {
  const start = process.hrtime.bigint();
  const child = spawn('node', args, {
    cwd: root,
    // Only what a service child needs (PATH, HOME, podman's settings), plus the settings of this measurement.
    env: { ...childProcessEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let ready = false;
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!ready && pattern.test(out)) {
        ready = true;
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        child.kill('SIGTERM');
        child.once('exit', () => resolve(ms));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      if (!ready) reject(new Error(`exited ${code} before ready:\n${out}`));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const dir = mkdtempSync(join(tmpdir(), 'startup-'));
const redisPort = await freePort();
const redis = spawn(
  'redis-server',
  ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
  {
    stdio: 'ignore',
  },
);
await new Promise((r) => setTimeout(r, 500));
const fake = await startFakeSlack({ botToken: 'xoxb-startup' });
const common = {
  REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  ARTIFACT_DIR: join(dir, 'artifacts'),
  DATA_DIR: join(dir, 'data'),
  LOG_LEVEL: 'info',
  METRICS_PORT: 'off',
};
const bot = {
  ...common,
  SLACK_BOT_TOKEN: 'xoxb-startup',
  SLACK_SIGNING_SECRET: 'startup-secret',
  SLACK_API_URL: fake.url,
};
const cases = [
  ['bot, tsx', ['--import', 'tsx', 'src/bin/bot.ts'], bot, /bot ready/],
  ['bot, dist', ['--enable-source-maps', 'dist/src/bin/bot.js'], bot, /bot ready/],
  ['worker, tsx', ['--import', 'tsx', 'workers/main.ts'], common, /worker ready/],
  ['worker, dist', ['--enable-source-maps', 'dist/workers/main.js'], common, /worker ready/],
] as const;
try {
  for (const [name, args, env, ready] of cases) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++)
      times.push(await untilLine([...args], { ...env, PORT: String(await freePort()) }, ready));
    console.log(
      `${name}: median ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`,
    );
  }
} finally {
  await fake.stop();
  redis.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
