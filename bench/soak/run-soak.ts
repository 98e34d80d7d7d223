import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { BuildQueues } from '../../src/queue/build-producer.ts';
import { DEFAULT_CHANNEL, startFakeSlack } from '../../test/fakes/slack-api.ts';
import { writeE2eConfig } from '../../test/support/e2e-env.ts';
import { freePort } from '../../test/testbed/free-port.ts';
import { requireTools, startRedis, startTestbed, TESTBED_TOOLS } from '../../test/testbed/index.ts';
import { checkSoak, type SoakFigures, soakStateOf } from './checks.ts';
import { type FaultRecord, runFaults, seededRandom } from './faults.ts';
import { createFleet } from './fleet.ts';
import type { SoakOptions } from './options.ts';
import { buildIdOf, statusMessages, submitBuild } from './slack-submit.ts';

const BOT_TOKEN = 'xoxb-soak';
const SIGNING_SECRET = 'soak-signing-secret';
/** Allowed growth of Redis's used_memory over the run. */
export const REDIS_GROWTH_LIMIT = 64 * 1024 * 1024;

export interface SoakResult {
  options: SoakOptions;
  figures: SoakFigures;
  faults: FaultRecord[];
  problems: string[];
  /** Why each failed build failed (a failure is a final state, not a problem, but the report shows why). */
  failedReasons: string[];
  redisMemoryBefore: number;
  redisMemoryAfter: number;
  seconds: number;
  finishedAt: string;
}

async function usedMemory(url: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  try {
    await client.connect();
    return Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1] ?? 0);
  } finally {
    client.disconnect();
  }
}

/**
 * Starts the test bed, a Redis with AOF on, `workers` build hosts and a bot with the fake Slack; submits
 * `builds` builds from Slack spread over `minutes` while faults are injected; then waits for every build to end and
 * runs the checks. Everything started is stopped before it returns.
 */
export async function runSoak(opts: SoakOptions, log: (line: string) => void): Promise<SoakResult> {
  requireTools(TESTBED_TOOLS);
  log(`soak: seed ${opts.seed}, ${opts.builds} builds over ${opts.minutes} min, ${opts.workers} workers`);
  const began = Date.now();
  const tb = await startTestbed();
  const redis = await startRedis({ appendonly: true });
  const fake = await startFakeSlack({ botToken: BOT_TOKEN, botUserId: 'U0BOT' });
  const dir = await mkdtemp(join(tmpdir(), 'bootc-iso-soak-'));
  const workEnvs: Record<string, string>[] = [];
  const workDirs: string[] = [];
  for (let i = 1; i <= opts.workers; i++) {
    const hostDir = join(dir, `host-${i}`);
    await mkdir(hostDir, { recursive: true });
    const { env } = await writeE2eConfig(tb, hostDir, tb.registry, {
      extraYaml: `  lockSeconds: ${opts.lockSeconds}`,
    });
    workEnvs.push({ ...env, REDIS_URL: redis.url, WORKER_NAME: `soak-host-${i}` });
    workDirs.push(join(hostDir, 'work'));
  }
  const port = await freePort();
  const botUrl = `http://127.0.0.1:${port}/slack/events`;
  const botEnv = {
    ...(workEnvs[0] ?? {}),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: String(port),
  };
  const fleet = createFleet(workEnvs, botEnv, () => undefined);
  // Every build queue, as the bot and the CLI look builds up: a build needing a capable host sits in its own queue.
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const queues = new BuildQueues(connection);
  try {
    await Promise.all([fleet.bot, ...fleet.workers].map((m) => fleet.start(m)));
    const redisMemoryBefore = await usedMemory(redis.url);
    const startedAt = Date.now();
    const endAt = startedAt + opts.minutes * 60_000;
    log(
      `soak: set up in ${Math.round((startedAt - began) / 1000)} s; Redis used_memory ${redisMemoryBefore}`,
    );

    const faults = runFaults(
      { fleet, redis, s3: tb.s3, registry: tb.registry },
      {
        seed: opts.seed,
        endAt,
        everySeconds: opts.faultEverySeconds,
        stopMaxSeconds: opts.stopMaxSeconds,
        startedAt,
      },
      log,
    );
    // Builds go in evenly over the first 80% of the run, so the last ones still meet faults.
    const random = seededRandom(opts.seed ^ 0x5eed);
    const spacing = (opts.minutes * 60_000 * 0.8) / opts.builds;
    const ids: string[] = [];
    for (let i = 0; i < opts.builds; i++) {
      const due = startedAt + i * spacing;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const preset = random() < 0.15 ? 'slow' : 'demo';
      // A distinct volume label per build, so no two are identical builds answered from one another.
      const values = {
        preset: { selected_option: { value: preset } },
        volumeId: { type: 'plain_text_input', value: `SOAK_${opts.seed % 100_000}_${i}` },
      };
      const id = await submitBuild(fake, botUrl, SIGNING_SECRET, `U0SOAK${i}`, values);
      ids.push(id);
      log(`build ${i + 1}/${opts.builds}: ${id} (${preset})`);
    }
    const records = await faults;
    log(`soak: submissions and faults done after ${Math.round((Date.now() - startedAt) / 1000)} s; draining`);
    // Every fault has ended (processes resumed, servers back): wait for every build to end.
    // A submission retried after a bot restart can leave one more build than asked for: every build Slack shows
    // is checked, not only the ones the submitter saw.
    const everyId = () => [...new Set([...ids, ...statusMessages(fake).map(buildIdOf)])];
    const drainUntil = Date.now() + Math.max(5, opts.minutes / 2) * 60_000;
    const ended = (s: string) => s === 'completed' || s === 'failed' || s === 'not queued';
    for (;;) {
      const botLines = fleet.bot.history;
      const states = await Promise.all(
        everyId().map((id) =>
          soakStateOf(queues, fake, DEFAULT_CHANNEL, id, botLines).catch(() => 'unknown'),
        ),
      );
      if (states.every(ended)) break;
      if (Date.now() > drainUntil) {
        log(`soak: builds still not ended after the drain: ${states.filter((s) => !ended(s)).length}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    // The last Slack updates and builder clean-ups land a moment after the job state.
    await new Promise((r) => setTimeout(r, 10_000));
    const checked = await checkSoak({
      ids: everyId(),
      queues,
      fake,
      channel: DEFAULT_CHANNEL,
      s3: tb.s3,
      penv: tb.podman,
      workDirs,
      workerLines: fleet.workers.flatMap((w) => w.history),
      botLines: fleet.bot.history,
    });
    // A problem build comes with what the bot and the workers logged about it, so a run explains itself.
    for (const problem of checked.problems) {
      const id = /^(b[0-9a-z]{8}):/.exec(problem)?.[1];
      if (!id) continue;
      for (const m of [fleet.bot, ...fleet.workers])
        for (const line of m.history.filter((l) => l.includes(id)).slice(0, 30))
          log(`${id} ${m.name}: ${line}`);
    }
    const redisMemoryAfter = await usedMemory(redis.url);
    // Bounded: finished builds keep small job records; anything growing with time (events, progress, stale keys)
    // would show as a rise far beyond that.
    const bound = redisMemoryBefore + REDIS_GROWTH_LIMIT;
    if (redisMemoryAfter > bound) {
      checked.problems.push(`Redis used_memory grew from ${redisMemoryBefore} to ${redisMemoryAfter} bytes`);
    }
    return {
      options: opts,
      figures: checked.figures,
      faults: records,
      problems: checked.problems,
      failedReasons: checked.failedReasons,
      redisMemoryBefore,
      redisMemoryAfter,
      seconds: Math.round((Date.now() - startedAt) / 1000),
      finishedAt: new Date().toISOString(),
    };
  } finally {
    await queues.close().catch(() => undefined);
    connection.disconnect();
    await fleet.stopAll();
    await fake.stop();
    await redis.stop();
    await tb.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
