// Target 1: ack latency of the bot's HTTP endpoint under load (concurrency 50, real Redis, fake Slack in its own
// process) against the project's Bolt app with listeners that only ack, measured in the same run.
import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Agent } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { hostArch } from '../../src/domain/host-arch.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { BLOCKS, SLASH_COMMAND } from '../../src/slack/action-ids.ts';
import { buildModalView } from '../../src/slack/views/build-modal.ts';
import { DEFAULT_CHANNEL } from '../../test/fakes/slack-state.ts';
import { submittedState, viewSubmissionPayload } from '../../test/support/slack-requests.ts';
import { freePort } from '../../test/testbed/free-port.ts';
import { startRedis } from '../../test/testbed/redis.ts';
import { BENCH_SOURCE, writeBenchConfig } from '../lib/bench-config.ts';
import { type FakeSlackProcess, startFakeSlackProcess } from '../lib/fake-slack.ts';
import { type LoadRequest, type LoadResult, loadAgent, runLoad } from '../lib/load.ts';
import { type Started, startTsx, until, waitHttp } from '../lib/proc.ts';
import { median, type Percentiles, percentiles } from '../lib/stats.ts';
import { type CpuCategory, summarizeProfileDir } from './cpu-profile.ts';

const TOKEN = 'xoxb-bench-bot-token-7c1e';
const SECRET = 'bench-signing-secret-41aa';
const USER = 'U0BENCHUSER';

export type AckScenario = 'command' | 'modal' | 'modal-nolimit' | 'build';
export const ACK_SCENARIOS: AckScenario[] = ['command', 'modal', 'build'];
export const SCENARIO_LABEL: Record<AckScenario, string> = {
  command: '`/bootc-iso status <id>` (ack, then Redis look-ups + response_url)',
  modal: 'modal submission (validate + access/limits check + ack, then status post + enqueue)',
  'modal-nolimit': 'modal submission with access.limits 0 (no open-build count before ack)',
  build: '`/bootc-iso build` (ack, then views.open)',
};

/** One measured case: a scenario, closed loop at the concurrency, or open loop at `rate` requests/s. */
export interface AckCase {
  scenario: AckScenario;
  rate?: number;
}
export const caseKey = (c: AckCase) => (c.rate ? `${c.scenario}@${c.rate}/s` : c.scenario);

export interface AckRun {
  bare: Percentiles & { rps: number; errors: number; bad: number };
  bot: Percentiles & { rps: number; errors: number; bad: number };
  ratio: { p50: number; p95: number; p99: number };
  /** build: request → views.open at the fake (ms); modal: all submissions queued after (ms). */
  followUp?: Percentiles & { failures: number; errors: Record<string, number> };
  queuedAllMs?: number;
}

export interface AckResult {
  /** With --ack-profile: CPU ms per request of each side, by part (bench/ack/cpu-profile.ts). */
  profile?: { requestsPerSide: number; bare: Record<CpuCategory, number>; bot: Record<CpuCategory, number> };
  requests: number;
  concurrency: number;
  warmup: number;
  scenarios: Record<
    string,
    { requests: number; runs: AckRun[]; median: Omit<AckRun, 'followUp' | 'queuedAllMs'> }
  >;
}

function slashBody(text: string, triggerId: string, responseUrl: string): string {
  return new URLSearchParams({
    token: 'fake-verification-token',
    team_id: 'T0TEST',
    team_domain: 'test',
    channel_id: DEFAULT_CHANNEL,
    channel_name: 'test',
    user_id: USER,
    user_name: USER.toLowerCase(),
    command: SLASH_COMMAND,
    text,
    api_app_id: 'A0FAKEAPP',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  }).toString();
}

/** One submission per (distinct) user, so the per-user limit on open builds (access.limits) never refuses one. */
function modalBodies(): (user: string) => string {
  const view = buildModalView({
    presets: { demo: { image: BENCH_SOURCE, builder: 'standin', description: 'demo OS' } },
    defaultBuilder: 'standin',
    arches: [hostArch()],
    channelId: DEFAULT_CHANNEL,
  }) as unknown as Record<string, unknown>;
  const values = submittedState(view, {
    [BLOCKS.preset]: { type: 'static_select', selected_option: { value: 'demo' } },
    [BLOCKS.users]: { type: 'plain_text_input', value: 'admin | | wheel' },
  });
  return (user) => {
    const payload = viewSubmissionPayload({ userId: user, view, values });
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  };
}

/** Trigger ids live 3 s: fetch them from the fake in small batches just before use. */
function triggerPool(fake: FakeSlackProcess) {
  let buffer: string[] = [];
  let refill: Promise<void> | undefined;
  return async (): Promise<string> => {
    for (;;) {
      const id = buffer.shift();
      if (id) return id;
      refill ??= fake.triggers(50, USER).then((ids) => {
        buffer = ids;
        refill = undefined;
      });
      await refill;
    }
  };
}

function summary(load: LoadResult) {
  const ok = load.statuses['200'] ?? 0;
  return {
    ...percentiles(load.latencies),
    rps: (load.latencies.length / load.wallMs) * 1000,
    errors: load.errors + (load.latencies.length - ok),
    bad: load.badBodies,
  };
}

export async function runAckBench(opts: {
  dir: string;
  requests: number;
  runs: number;
  warmup: number;
  concurrency: number;
  cases: AckCase[];
  /** CPU profiles of both sides (node --cpu-prof), summarised per request into the result. */
  profile?: boolean;
  log: (line: string) => void;
}): Promise<AckResult> {
  const profileDir = (side: 'bare' | 'bot') => join(opts.dir, 'cpu-profiles', side);
  const profileArgs = (side: 'bare' | 'bot') =>
    opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(side)}`] : [];
  let handled = 0;
  const redis = await startRedis();
  const admin = new Redis(redis.url);
  const fake = await startFakeSlackProcess(TOKEN, opts.dir);
  const configPath = await writeBenchConfig(opts.dir);
  const noLimitDir = join(opts.dir, 'nolimit');
  await mkdir(noLimitDir, { recursive: true });
  const noLimitConfig = await writeBenchConfig(
    noLimitDir,
    [],
    ['access:', '  limits: { perUser: 0, perChannel: 0 }'],
  );
  const slackEnv = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url };
  const barePort = await freePort();
  const bare = startTsx(
    new URL('./bare-bolt.ts', import.meta.url).pathname,
    { ...slackEnv, PORT: String(barePort) },
    join(opts.dir, 'bare-bolt.log'),
    { nodeArgs: profileArgs('bare') },
  );
  let bot: Started | undefined;
  const botPort = await freePort();
  const startBot = async (config: string) => {
    await bot?.stop();
    await admin.flushall();
    await fake.reset();
    bot = startTsx(
      'src/bin/bot.ts',
      {
        ...slackEnv,
        PORT: String(botPort),
        REDIS_URL: redis.url,
        BOOTC_ISO_CONFIG: config,
        LOG_LEVEL: 'info',
      },
      join(opts.dir, 'bot.log'),
      // e.g. BENCH_BOT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the bot spends its time.
      {
        nodeArgs: [
          ...profileArgs('bot'),
          ...(process.env.BENCH_BOT_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        ],
      },
    );
    await waitHttp(`http://127.0.0.1:${botPort}/healthz`, 60_000, bot.exited);
  };
  const result: AckResult = {
    requests: opts.requests,
    concurrency: opts.concurrency,
    warmup: opts.warmup,
    scenarios: {},
  };
  const buildQueue = new Queue(buildQueueName(hostArch()), { connection: admin, prefix: QUEUE_PREFIX });
  const queuedCount = async () => {
    const counts = await buildQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  };
  /** views.open must reach Slack within the trigger's 3 s life: time from request to the call at the fake. */
  const viewsOpened = async (
    since: number,
    sentAt: Map<string, number>,
    count: number,
  ): Promise<AckRun['followUp']> => {
    const opened = async () => (await fake.calls(since)).filter((x) => x.method === 'views.open');
    const calls = await until(
      'views.open calls',
      async () => {
        const c = await opened();
        return c.filter((x) => x.trigger_id !== undefined && sentAt.has(x.trigger_id)).length >= count
          ? c
          : undefined;
      },
      30_000,
      200,
    ).catch(opened);
    const delays: number[] = [];
    const errors: Record<string, number> = {};
    for (const c of calls) {
      if (!c.trigger_id || !sentAt.has(c.trigger_id)) continue;
      const sent = c.trigger_id ? sentAt.get(c.trigger_id) : undefined;
      if (sent !== undefined) delays.push(c.at - sent);
      if (c.error) errors[c.error] = (errors[c.error] ?? 0) + 1;
    }
    const ours = calls.filter((c) => c.trigger_id !== undefined && sentAt.has(c.trigger_id));
    return { ...percentiles(delays), failures: count - ours.filter((c) => !c.error).length, errors };
  };
  try {
    await waitHttp(`http://127.0.0.1:${barePort}/healthz`, 60_000, bare.exited);
    const nextTrigger = triggerPool(fake);
    const modalBody = modalBodies();
    for (const ackCase of opts.cases) {
      const { scenario } = ackCase;
      const key = caseKey(ackCase);
      const runs: AckRun[] = [];
      // Open-loop cases send five seconds' worth of requests.
      const count = ackCase.rate ? Math.min(opts.requests, Math.round(ackCase.rate * 5)) : opts.requests;
      for (let run = 0; run < opts.runs; run++) {
        const load = async (port: number, count: number, tag: string, agent: Agent) => {
          const urls =
            scenario === 'command' ? await fake.responseUrls(`${scenario}${run}${tag}`, count) : [];
          const sentAt = new Map<string, number>();
          const res = await runLoad({
            url: `http://127.0.0.1:${port}/slack/events`,
            secret: SECRET,
            total: count,
            concurrency: opts.concurrency,
            agent,
            ...(ackCase.rate && tag === 'm' ? { rate: ackCase.rate } : {}),
            check: (status, body) => status === 200 && (!scenario.startsWith('modal') || body === ''),
            prepare: async (i): Promise<LoadRequest> => {
              if (scenario.startsWith('modal'))
                return {
                  body: modalBody(`U0B${key}${run}${tag}${i}`.replace(/[^A-Z0-9]/gi, '').toUpperCase()),
                };
              if (scenario === 'command')
                return { body: slashBody('status b00000000', `t-${i}`, urls[i] ?? '') };
              const trigger = await nextTrigger();
              return {
                body: slashBody('build demo', trigger, 'http://127.0.0.1:9/unused'),
                onSend: (at) => sentAt.set(trigger, at),
              };
            },
          });
          return { res, sentAt };
        };
        const settle = async (queued: number) => {
          let last = -1;
          await until(
            'the warm-up to settle',
            async () => {
              const calls = await fake.count();
              const idle = calls === last && (queued === 0 || (await queuedCount()) >= queued);
              last = calls;
              return idle;
            },
            60_000,
            300,
          ).catch(() => undefined);
        };
        const measure = async (which: 'bare' | 'bot') => {
          const port = which === 'bare' ? barePort : botPort;
          if (which === 'bot') await startBot(scenario === 'modal-nolimit' ? noLimitConfig : configPath);
          // The measured run reuses the warm-up's connections: 50 connections opened at once made the first
          // requests of a run the slowest on both sides (measured), which says nothing about either app.
          const agent = loadAgent(opts.concurrency);
          await load(port, opts.warmup, 'w', agent);
          // The warm-up warms code paths; its post-ack work (Web API calls, enqueues) must not spill into the measured
          // run, or the first measured requests queue behind it (measured: the ~30 slowest requests of a run were the
          // first ones, waiting behind the warm-up's status posts). Both sides start measuring from an idle process.
          await settle(scenario.startsWith('modal') && which === 'bot' ? opts.warmup : 0);
          const callsBefore = await fake.count();
          const startedAt = Date.now();
          const { res, sentAt } = await load(port, count, 'm', agent);
          agent.destroy();
          // Both sides answer the same requests: counted once, on the bare side.
          if (which === 'bare') handled += opts.warmup + count;
          if (process.env.BENCH_DUMP) {
            writeFileSync(
              join(opts.dir, `lat-${key.replace('/', '')}-${which}-${run}.json`),
              JSON.stringify(res.latencies),
            );
          }
          if (res.samples.length) opts.log(`  ${which} ${key}: ${res.samples.join(' | ')}`);
          const extra: Partial<AckRun> = {};
          if (which === 'bot' && scenario === 'build')
            extra.followUp = await viewsOpened(callsBefore, sentAt, count);
          if (which === 'bot' && scenario.startsWith('modal')) {
            await until(
              'every submission queued',
              async () => (await queuedCount()) >= opts.warmup + count,
              60_000,
            ).catch(() => undefined);
            extra.queuedAllMs = Date.now() - startedAt;
          }
          return { res, extra };
        };
        // Alternate the order so that neither side always runs on a warmer machine.
        const order: ('bare' | 'bot')[] = run % 2 === 0 ? ['bare', 'bot'] : ['bot', 'bare'];
        const measured: Partial<Record<'bare' | 'bot', Awaited<ReturnType<typeof measure>>>> = {};
        for (const which of order) measured[which] = await measure(which);
        const b = measured.bare;
        const o = measured.bot;
        if (!b || !o) throw new Error('ack bench: a side did not run');
        const bareS = summary(b.res);
        const botS = summary(o.res);
        const entry: AckRun = {
          bare: bareS,
          bot: botS,
          ratio: { p50: botS.p50 / bareS.p50, p95: botS.p95 / bareS.p95, p99: botS.p99 / bareS.p99 },
          ...o.extra,
        };
        runs.push(entry);
        opts.log(
          `  ack ${key} run ${run + 1}/${opts.runs}: p99 bot ${botS.p99.toFixed(1)} ms vs bare ${bareS.p99.toFixed(1)} ms (×${entry.ratio.p99.toFixed(2)}); ` +
            `p50 ${botS.p50.toFixed(1)} vs ${bareS.p50.toFixed(1)}; ${botS.rps.toFixed(0)} vs ${bareS.rps.toFixed(0)} req/s` +
            (entry.followUp
              ? `; views.open p99 ${entry.followUp.p99} ms, ${entry.followUp.failures} failed`
              : '') +
            (entry.queuedAllMs !== undefined ? `; all queued after ${entry.queuedAllMs} ms` : ''),
        );
        // Let the bot's post-ack work (notify syncs, delayed edits) finish before the next side runs.
        await sleep(500);
      }
      const med = (pick: (r: AckRun) => number) => median(runs.map(pick));
      const side = (k: 'bare' | 'bot') => ({
        p50: med((r) => r[k].p50),
        p95: med((r) => r[k].p95),
        p99: med((r) => r[k].p99),
        max: med((r) => r[k].max),
        n: med((r) => r[k].n),
        rps: med((r) => r[k].rps),
        errors: runs.reduce((s, r) => s + r[k].errors, 0),
        bad: runs.reduce((s, r) => s + r[k].bad, 0),
      });
      result.scenarios[key] = {
        requests: count,
        runs,
        median: {
          bare: side('bare'),
          bot: side('bot'),
          ratio: { p50: med((r) => r.ratio.p50), p95: med((r) => r.ratio.p95), p99: med((r) => r.ratio.p99) },
        },
      };
    }
  } finally {
    await bot?.stop();
    await bare.stop();
    await fake.stop();
    await buildQueue.close();
    admin.disconnect();
    await redis.stop();
  }
  if (opts.profile) {
    // Written by each process as it exits (the bot once per run, the bare app once): all stopped above.
    const [bare, bot] = await Promise.all([
      summarizeProfileDir(profileDir('bare')),
      summarizeProfileDir(profileDir('bot')),
    ]);
    const perRequest = (totals: Record<CpuCategory, number>) =>
      Object.fromEntries(Object.entries(totals).map(([k, ms]) => [k, handled ? ms / handled : 0])) as Record<
        CpuCategory,
        number
      >;
    result.profile = { requestsPerSide: handled, bare: perRequest(bare), bot: perRequest(bot) };
  }
  return result;
}
