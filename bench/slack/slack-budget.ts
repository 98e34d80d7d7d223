// Target 6: Slack Web API calls per build. The real bot (src/bin/bot.ts) against the fake Slack, builds submitted
// through the modal, and a stub build worker that reports progress far more often than the real one does (every
// 250 ms instead of coalesced every 2 s), for `seconds` per build. Every call the fake records is attributed to
// its build's status message.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { hostArch } from '../../src/domain/host-arch.ts';
import type { BuildProgress, BuildResult } from '../../src/queue/build-job.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { BLOCKS } from '../../src/slack/action-ids.ts';
import { buildModalView } from '../../src/slack/views/build-modal.ts';
import { DEFAULT_CHANNEL } from '../../test/fakes/slack-state.ts';
import { submittedState, viewSubmissionPayload } from '../../test/support/slack-requests.ts';
import { freePort } from '../../test/testbed/free-port.ts';
import { startRedis } from '../../test/testbed/redis.ts';
import { BENCH_BUILDER, BENCH_SOURCE, writeBenchConfig } from '../lib/bench-config.ts';
import { startFakeSlackProcess } from '../lib/fake-slack.ts';
import { runLoad } from '../lib/load.ts';
import { type Started, startTsx, until, waitHttp } from '../lib/proc.ts';

const TOKEN = 'xoxb-bench-budget-token-19fe';
const SECRET = 'bench-budget-secret-7d0b';
export const UPDATE_EVERY_MS = 250;

export interface BuildCalls {
  buildId: string;
  durationMs: number;
  progressEvents: number;
  postMessage: number;
  replies: number;
  updates: number;
  total: number;
  /** Smallest gap between two chat.update calls on this build's message (ms). */
  minUpdateGapMs: number;
  /** Most chat.update calls in any 5 s window. */
  maxUpdatesIn5s: number;
  errors: number;
}

export interface SlackBudgetResult {
  builds: BuildCalls[];
  seconds: number;
  otherCalls: Record<string, number>;
}

function stubProcessor(seconds: number, counts: Map<string, number>) {
  const steps: BuildProgress['step'][] = ['preflight', 'login', 'pull', 'build', 'upload', 'link'];
  return async (job: Job): Promise<BuildResult> => {
    const buildId = job.id ?? '';
    const ticks = Math.round((seconds * 1000) / UPDATE_EVERY_MS);
    const started = Date.now();
    for (let i = 0; i < ticks; i++) {
      const stepIndex = Math.min(steps.length - 1, Math.floor((i / ticks) * steps.length));
      const step = steps[stepIndex] ?? 'build';
      const percent = Math.floor((i / ticks) * 100);
      await job.updateProgress({
        step,
        message: `${step} ${percent}%`,
        percent,
        host: 'bench-host',
        attempt: 1,
      });
      counts.set(buildId, (counts.get(buildId) ?? 0) + 1);
      await sleep(Math.max(0, started + (i + 1) * UPDATE_EVERY_MS - Date.now()));
    }
    await job.updateProgress({
      step: 'done',
      message: 'build complete',
      percent: 100,
      host: 'bench-host',
      attempt: 1,
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    return {
      buildId,
      iso: {
        key: `builds/${buildId}/install.iso`,
        size: 2_147_483_648,
        sha256: 'b'.repeat(64),
        filename: `${buildId}-install.iso`,
      },
      logKey: `builds/${buildId}/build.log`,
      manifestKey: `builds/${buildId}/manifest.json`,
      link: {
        url: `http://127.0.0.1:9/${buildId}/install.iso`,
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      },
      sourceImage: BENCH_SOURCE,
      sourceDigest: digest,
      builderImage: BENCH_BUILDER,
      builderDigest: digest,
      workerHost: 'bench-host',
      timings: {},
      finishedAt: new Date().toISOString(),
    };
  };
}

export async function runSlackBudgetBench(opts: {
  dir: string;
  builds: number;
  seconds: number;
  log: (line: string) => void;
}): Promise<SlackBudgetResult> {
  const redis = await startRedis();
  const fake = await startFakeSlackProcess(TOKEN, opts.dir);
  const config = await writeBenchConfig(opts.dir);
  const port = await freePort();
  const progressCounts = new Map<string, number>();
  let bot: Started | undefined;
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const worker = new Worker(buildQueueName(hostArch()), stubProcessor(opts.seconds, progressCounts), {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency: opts.builds,
  });
  try {
    bot = startTsx(
      'src/bin/bot.ts',
      {
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: fake.url,
        PORT: String(port),
        REDIS_URL: redis.url,
        BOOTC_ISO_CONFIG: config,
        LOG_LEVEL: 'info',
      },
      join(opts.dir, 'bot.log'),
    );
    await waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000, bot.exited);
    await worker.waitUntilReady();
    const view = buildModalView({
      presets: { demo: { image: BENCH_SOURCE, builder: 'standin', description: 'demo OS' } },
      defaultBuilder: 'standin',
      arches: [hostArch()],
      channelId: DEFAULT_CHANNEL,
    }) as unknown as Record<string, unknown>;
    const values = submittedState(view, {
      [BLOCKS.preset]: { type: 'static_select', selected_option: { value: 'demo' } },
    });
    const submitted = await runLoad({
      url: `http://127.0.0.1:${port}/slack/events`,
      secret: SECRET,
      total: opts.builds,
      concurrency: opts.builds,
      check: (status, body) => status === 200 && body === '',
      prepare: (i) => ({
        body: new URLSearchParams({
          payload: JSON.stringify(viewSubmissionPayload({ userId: `U0BUDGET${i}`, view, values })),
        }).toString(),
      }),
    });
    if (submitted.badBodies || submitted.errors)
      throw new Error(`submissions refused: ${submitted.samples.join(' | ')}`);
    // The build runs for `seconds`; then allow the last coalesced edit (≤ 5 s later) and the thread note.
    const limit = (opts.seconds + 60) * 1000;
    await until(
      'every build finished',
      async () => (await worker.isRunning()) && progressCounts.size >= opts.builds,
      30_000,
    );
    await until(
      'final status messages',
      async () => {
        const messages = await fake.messages();
        const done = messages.filter((m) => !m.thread_ts && /ready|complete|done/i.test(m.text)).length;
        return done >= opts.builds;
      },
      limit,
      500,
    ).catch(() => opts.log('  slack budget: not every build reached its final message'));
    await sleep(6000);
    const calls = await fake.calls();
    const messages = await fake.messages();
    const statusMessages = messages.filter((m) => m.channel === DEFAULT_CHANNEL && !m.thread_ts);
    const builds: BuildCalls[] = [];
    for (const m of statusMessages) {
      const buildId = /(b[0-9a-z]{8})/.exec(m.text)?.[1] ?? m.ts;
      const mine = calls.filter(
        (c) =>
          (c.method === 'chat.update' && c.ts === m.ts) ||
          (c.method === 'chat.postMessage' &&
            (c.thread_ts === m.ts ||
              (!c.thread_ts && c.at <= Number(m.ts) * 1000 + 5000 && c.channel === m.channel))),
      );
      const updates = mine.filter((c) => c.method === 'chat.update').map((c) => c.at);
      const gaps = updates.slice(1).map((at, i) => at - (updates[i] ?? at));
      const maxIn5s = Math.max(
        0,
        ...updates.map((at) => updates.filter((u) => u >= at && u < at + 5000).length),
      );
      const replies = mine.filter((c) => c.method === 'chat.postMessage' && c.thread_ts === m.ts).length;
      builds.push({
        buildId,
        durationMs: opts.seconds * 1000,
        progressEvents: progressCounts.get(buildId) ?? 0,
        postMessage: 1,
        replies,
        updates: updates.length,
        total: 1 + replies + updates.length,
        minUpdateGapMs: gaps.length ? Math.min(...gaps) : Number.NaN,
        maxUpdatesIn5s: maxIn5s,
        errors: mine.filter((c) => c.error).length,
      });
    }
    const otherCalls: Record<string, number> = {};
    for (const c of calls) otherCalls[c.method] = (otherCalls[c.method] ?? 0) + 1;
    for (const b of builds)
      opts.log(
        `  slack budget ${b.buildId}: ${b.progressEvents} progress events → ${b.total} calls (${b.updates} chat.update, ${b.replies} replies), ` +
          `min gap ${b.minUpdateGapMs} ms, max ${b.maxUpdatesIn5s} updates in 5 s`,
      );
    return { builds, seconds: opts.seconds, otherCalls };
  } finally {
    await worker.close();
    connection.disconnect();
    await bot?.stop();
    await fake.stop();
    await redis.stop();
  }
}
