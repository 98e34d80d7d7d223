// `npm run bench [-- --quick] [-- --only=ack,upload,dispatch,slack,profile] [-- --upload-size=4G]`
// The benchmark suite (issue 6). Not a test: it never runs in `npm test` or CI. Every figure is measured against a
// baseline measured in the same run, on this machine; results go to bench/results/latest.md and latest.json.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  ACK_SCENARIOS,
  type AckCase,
  type AckResult,
  caseKey,
  runAckBench,
  SCENARIO_LABEL,
} from './ack/ack-bench.ts';
import { type DispatchResult, runDispatchBench } from './dispatch/dispatch-bench.ts';
import { REPO_ROOT } from './lib/proc.ts';
import { markdownTable, plainTable, type SummaryRow, summaryTable } from './lib/report.ts';
import { fmt, GIB, MIB, median, parseSize, sizeLabel } from './lib/stats.ts';
import { type ProfileResult, profileUnavailable, runProfileBench } from './slack/profile-build.ts';
import { runSlackBudgetBench, type SlackBudgetResult, UPDATE_EVERY_MS } from './slack/slack-budget.ts';
import {
  awsBinary,
  describeSample,
  findOnPath,
  generateFile,
  toolVersions,
  UploadBench,
  type UploadSample,
} from './upload/upload-bench.ts';

const SECTIONS = ['ack', 'upload', 'dispatch', 'slack', 'profile'] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: string[]) {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m?.[1]) throw new Error(`unknown argument ${arg}; see bench/README.md`);
    flags.set(m[1], m[2] ?? 'true');
  }
  const quick = flags.has('quick');
  const only = flags.get('only')?.split(',') ?? [...SECTIONS];
  for (const s of only)
    if (!SECTIONS.includes(s as Section))
      throw new Error(`--only: unknown section ${s} (${SECTIONS.join(', ')})`);
  const num = (name: string, full: number, fast: number) => Number(flags.get(name) ?? (quick ? fast : full));
  return {
    quick,
    sections: only as Section[],
    ackRequests: num('ack-requests', 1000, 300),
    ackRuns: num('runs', 3, 2),
    uploadRuns: num('upload-runs', 3, 2),
    bigRuns: num('big-runs', 2, 1),
    compareSize: parseSize(flags.get('compare-size') ?? (quick ? '256M' : '1G')),
    bigSize: flags.get('upload-size') ? parseSize(flags.get('upload-size') ?? '') : quick ? 0 : 4 * GIB,
    dispatchBuilds: num('builds', 500, 100),
    dispatchWorkers: num('workers', 4, 4),
    slackSeconds: num('slack-seconds', 60, 20),
    out: flags.get('out') ?? join(REPO_ROOT, 'bench/results'),
    keep: flags.has('keep'),
    /** Ack cases to run (caseKey names, e.g. modal,build,command@100/s); all when unset. */
    ackCases: flags.get('ack-cases')?.split(','),
  };
}

type Options = ReturnType<typeof parseArgs>;

const log = (line: string) => process.stdout.write(`${line}\n`);

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

interface SectionMeta {
  seconds: number;
  loadBefore: number;
  loadAfter: number;
  error?: string;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const work = await mkdtemp(join(tmpdir(), 'bootc-iso-bench-'));
  const started = Date.now();
  const meta: Record<string, SectionMeta> = {};
  const results: {
    ack?: AckResult;
    upload?: UploadResults;
    dispatch?: DispatchResult;
    slack?: SlackBudgetResult;
    profile?: ProfileResult;
  } = {};
  log(`bench: ${opts.quick ? 'quick' : 'full'} run of ${opts.sections.join(', ')}; scratch ${work}`);
  const section = async <T>(name: Section, fn: (dir: string) => Promise<T>): Promise<T | undefined> => {
    if (!opts.sections.includes(name)) return undefined;
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    const t0 = Date.now();
    const loadBefore = loadavg()[0] ?? 0;
    log(`bench: ${name} (load average ${loadBefore.toFixed(2)})`);
    try {
      return await fn(dir);
    } catch (error) {
      meta[name] = { seconds: 0, loadBefore, loadAfter: 0, error: String(error).slice(0, 2000) };
      log(`bench: ${name} FAILED: ${String(error)}`);
      return undefined;
    } finally {
      meta[name] = {
        ...meta[name],
        seconds: Math.round((Date.now() - t0) / 1000),
        loadBefore,
        loadAfter: loadavg()[0] ?? 0,
      };
    }
  };

  try {
    results.ack = await section('ack', (dir) =>
      runAckBench({
        dir,
        requests: opts.ackRequests,
        runs: opts.ackRuns,
        warmup: Math.min(200, opts.ackRequests),
        concurrency: 50,
        cases: ackCases().filter((c) => !opts.ackCases || opts.ackCases.includes(caseKey(c))),
        log,
      }),
    );
    results.upload = await section('upload', (dir) => runUploads(dir, opts));
    results.dispatch = await section('dispatch', (dir) =>
      runDispatchBench({
        dir,
        builds: opts.dispatchBuilds,
        workers: opts.dispatchWorkers,
        pacedBuilds: Math.round(opts.dispatchBuilds / 5),
        log,
      }),
    );
    results.slack = await section('slack', (dir) =>
      runSlackBudgetBench({ dir, builds: 3, seconds: opts.slackSeconds, log }),
    );
    results.profile = await section('profile', async (dir) => {
      const why = profileUnavailable();
      if (why) throw new Error(why);
      return runProfileBench({ dir, log });
    });
  } finally {
    if (!opts.keep) await rm(work, { recursive: true, force: true });
  }

  const environment = {
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: git(['status', '--porcelain']).length > 0,
    node: process.version,
    cpus: cpus().length,
    memGiB: Math.round(totalmem() / GIB),
    tools: await toolVersions(),
    mode: opts.quick ? 'quick' : 'full',
    seconds: Math.round((Date.now() - started) / 1000),
  };
  const markdown = render(opts, results, meta, environment);
  await mkdir(opts.out, { recursive: true });
  await writeFile(join(opts.out, 'latest.md'), markdown);
  await writeFile(
    join(opts.out, 'latest.json'),
    `${JSON.stringify({ environment, options: opts, sections: meta, results }, null, 2)}\n`,
  );
  log('');
  log(plainTable(markdown.split('\n## ')[1]?.split('\n').slice(2).join('\n') ?? ''));
  log(`\nbench: wrote ${join(opts.out, 'latest.md')} and latest.json in ${environment.seconds} s`);
}

function ackCases(): AckCase[] {
  return [
    ...ACK_SCENARIOS.map((scenario) => ({ scenario })),
    { scenario: 'modal-nolimit' },
    { scenario: 'command', rate: 100 },
    { scenario: 'modal', rate: 20 },
    { scenario: 'build', rate: 100 },
  ];
}

// ------------------------------------------------------------------------------------------------ uploads

interface UploadResults {
  compare: UploadSample[];
  big: UploadSample[];
  rss: UploadSample[];
  grid: UploadSample[];
  compareSize: number;
  bigSize: number;
  tools: { aws?: string; rclone?: string };
}

async function runUploads(dir: string, opts: Options): Promise<UploadResults> {
  const bench = await UploadBench.start(dir);
  const files = new Map<number, string>();
  const file = async (bytes: number) => {
    const path = files.get(bytes) ?? join(dir, `data-${bytes}.bin`);
    files.set(bytes, path);
    await generateFile(path, bytes);
    return path;
  };
  const tools = { aws: awsBinary(), rclone: findOnPath('rclone') };
  const cli = (['aws', 'rclone'] as const).filter((t) => tools[t]);
  const out: UploadResults = {
    compare: [],
    big: [],
    rss: [],
    grid: [],
    compareSize: opts.compareSize,
    bigSize: opts.bigSize,
    tools,
  };
  const record = (list: UploadSample[], s: UploadSample) => {
    list.push(s);
    log(`  upload ${describeSample(s)}`);
  };
  try {
    // Interleaved, so drift (other load, disk write-back) hits every tool alike.
    const compareFile = await file(opts.compareSize);
    for (let r = 0; r < opts.uploadRuns; r++) {
      for (const tool of ['project', 'nohash', ...cli] as const)
        record(out.compare, await bench.upload(tool, compareFile, opts.compareSize));
    }
    // Peak RSS by file size: the project's uploader only.
    for (const size of [256 * MIB, ...(opts.quick ? [] : [GIB])]) {
      if (size === opts.compareSize) continue;
      record(out.rss, await bench.upload('project', await file(size), size));
    }
    if (opts.bigSize > 0) {
      const bigFile = await file(opts.bigSize);
      // Interleaved rounds here too: one run each was within noise of the tools' difference.
      for (let r = 0; r < opts.bigRuns; r++) {
        for (const tool of ['project', ...cli] as const)
          record(out.big, await bench.upload(tool, bigFile, opts.bigSize));
      }
    }
    // Tuning: the same pipeline as the project's with other part sizes, queue sizes and a 1 MiB body buffer.
    const grid = opts.quick
      ? [{ partMiB: 16, queueSize: 4, bodyHwmMiB: 1 }]
      : [
          { partMiB: 16, queueSize: 4, bodyHwmMiB: 1 },
          { partMiB: 12, queueSize: 4, bodyHwmMiB: 1 },
          { partMiB: 8, queueSize: 4, bodyHwmMiB: 1 },
          { partMiB: 8, queueSize: 8, bodyHwmMiB: 1 },
        ];
    for (const g of grid) record(out.grid, await bench.upload('lib', compareFile, opts.compareSize, g));
  } finally {
    await bench.stop();
    for (const path of files.values()) await rm(path, { force: true });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ report

function render(
  opts: Options,
  r: {
    ack?: AckResult;
    upload?: UploadResults;
    dispatch?: DispatchResult;
    slack?: SlackBudgetResult;
    profile?: ProfileResult;
  },
  meta: Record<string, SectionMeta>,
  env: Record<string, unknown>,
): string {
  const rows: SummaryRow[] = [];
  const details: string[] = [];
  const ms = (v: number) => `${fmt(v, 1)} ms`;

  // 1. Ack latency
  if (r.ack) {
    for (const [key, s] of Object.entries(r.ack.scenarios)) {
      const paced = key.includes('@');
      const m = s.median;
      rows.push({
        target: '1',
        figure: `ack p99: ${key}${paced ? '' : `, concurrency ${r.ack.concurrency}`}`,
        measured: ms(m.bot.p99),
        baseline: `${ms(m.bare.p99)} (bare Bolt)`,
        ratio: `${fmt(m.ratio.p99, 2)}×`,
        goal: paced ? '≤ 1.5× (info)' : '≤ 1.5×',
        ...(paced ? {} : { met: m.ratio.p99 <= 1.5 }),
      });
    }
    const ackRows = Object.entries(r.ack.scenarios).map(([key, s]) => {
      const m = s.median;
      const follow = s.runs.map((run) => run.followUp).filter((f) => f !== undefined);
      const queued = s.runs.map((run) => run.queuedAllMs).filter((q) => q !== undefined);
      const extra = follow.length
        ? `views.open after p50 ${fmt(median(follow.map((f) => f.p50)), 0)} / p99 ${fmt(median(follow.map((f) => f.p99)), 0)} ms; failed ${follow.reduce((a, f) => a + f.failures, 0)} ${JSON.stringify(Object.assign({}, ...follow.map((f) => f.errors)))}`
        : queued.length
          ? `all ${s.requests} (+ warm-up) queued ${fmt(median(queued) / 1000, 1)} s after the first measured request`
          : '';
      const scenario = key.split('@')[0] as keyof typeof SCENARIO_LABEL;
      return [
        `${key}: ${SCENARIO_LABEL[scenario] ?? ''}`,
        `${fmt(m.bot.p50)} / ${fmt(m.bot.p95)} / ${fmt(m.bot.p99)}`,
        `${fmt(m.bare.p50)} / ${fmt(m.bare.p95)} / ${fmt(m.bare.p99)}`,
        `${fmt(m.ratio.p50, 2)} / ${fmt(m.ratio.p95, 2)} / ${fmt(m.ratio.p99, 2)}`,
        `${fmt(m.bot.rps, 0)} / ${fmt(m.bare.rps, 0)}`,
        `${m.bot.errors + m.bot.bad} / ${m.bare.errors + m.bare.bad}`,
        s.runs.map((run) => fmt(run.ratio.p99, 2)).join(', '),
        extra,
      ];
    });
    details.push(
      `### 1. Ack latency\n\n${r.ack.requests} signed requests per side and run (paced cases: 5 s worth, at most that), ${r.ack.warmup} warm-up requests first, ` +
        `at most ${r.ack.concurrency} in flight, ${opts.ackRuns} runs (median shown; bare and bot alternate which goes first). ` +
        'Bot = `src/bin/bot.ts` with real Redis and the fake Slack Web API in its own process, restarted on an empty Redis for every run; ' +
        "bare = the project's own `createSlackApp` (same receiver, signature check) with listeners that only ack.\n\n" +
        markdownTable(
          [
            'case',
            'bot p50 / p95 / p99 (ms)',
            'bare p50 / p95 / p99 (ms)',
            'ratio p50 / p95 / p99',
            'req/s bot / bare',
            'non-200 or refused bot / bare',
            'p99 ratio per run',
            'after the ack',
          ],
          ackRows,
        ),
    );
  }

  // 2 + 3. Uploads
  if (r.upload) {
    const u = r.upload;
    const byTool = (list: UploadSample[], tool: string) => list.filter((s) => s.tool === tool);
    const med = (list: UploadSample[], pick: (s: UploadSample) => number) => median(list.map(pick));
    const compareBest = (list: UploadSample[]) => {
      const cands = (['aws', 'rclone'] as const)
        .map((t) => ({ t, v: med(byTool(list, t), (s) => s.mibPerSec) }))
        .filter((c) => Number.isFinite(c.v));
      return cands.sort((a, b) => b.v - a.v)[0];
    };
    const headline = u.big.length ? u.big : u.compare;
    const headSize = u.big.length ? u.bigSize : u.compareSize;
    const project = med(byTool(headline, 'project'), (s) => s.mibPerSec);
    const best = compareBest(headline);
    rows.push({
      target: '2',
      figure: `upload throughput, ${sizeLabel(headSize)} to s3rver, median of ${u.big.length ? opts.bigRuns : opts.uploadRuns}`,
      measured: `${fmt(project)} MiB/s`,
      baseline: best ? `${fmt(best.v)} MiB/s (${best.t}, the better CLI)` : 'no CLI installed',
      ratio: best ? `${fmt(project / best.v, 2)}×` : '–',
      goal: '≥ 1.0×',
      ...(best ? { met: project / best.v >= 1 } : {}),
    });
    if (u.big.length) {
      const cp = med(byTool(u.compare, 'project'), (s) => s.mibPerSec);
      const cb = compareBest(u.compare);
      rows.push({
        target: '2',
        figure: `upload throughput, ${sizeLabel(u.compareSize)}, median of ${opts.uploadRuns}`,
        measured: `${fmt(cp)} MiB/s`,
        baseline: cb ? `${fmt(cb.v)} MiB/s (${cb.t})` : '–',
        ratio: cb ? `${fmt(cp / cb.v, 2)}×` : '–',
        goal: '≥ 1.0×',
        ...(cb ? { met: cp / cb.v >= 1 } : {}),
      });
    }
    const rssBySize = new Map<number, number[]>();
    for (const s of [...u.compare, ...u.rss, ...u.big].filter((x) => x.tool === 'project'))
      rssBySize.set(s.bytes, [...(rssBySize.get(s.bytes) ?? []), s.peakRssMiB]);
    const sizes = [...rssBySize.keys()].sort((a, b) => a - b);
    const rssOf = (size: number) => Math.max(...(rssBySize.get(size) ?? [Number.NaN]));
    const peak = Math.max(...sizes.map(rssOf));
    const smallest = sizes[0] ?? 0;
    const largest = sizes.at(-1) ?? 0;
    rows.push({
      target: '2',
      figure: `uploader peak RSS (child process, VmHWM), ${sizes.map(sizeLabel).join(' / ')}`,
      measured: `${sizes.map((s) => fmt(rssOf(s), 0)).join(' / ')} MiB`,
      baseline: `aws ${fmt(
        med(byTool(headline, 'aws'), (s) => s.peakRssMiB),
        0,
      )} / rclone ${fmt(
        med(byTool(headline, 'rclone'), (s) => s.peakRssMiB),
        0,
      )} MiB`,
      ratio: `${fmt(rssOf(largest) / rssOf(smallest), 2)}× (largest / smallest file)`,
      goal: '≤ 256 MiB, flat (≤ 1.15×)',
      met: peak <= 256 && rssOf(largest) / rssOf(smallest) <= 1.15,
    });
    const withHash = med(byTool(u.compare, 'project'), (s) => s.wallMs);
    const noHash = med(byTool(u.compare, 'nohash'), (s) => s.wallMs);
    rows.push({
      target: '3',
      figure: `upload + sha256 wall time, ${sizeLabel(u.compareSize)}, median of ${opts.uploadRuns}`,
      measured: `${fmt(withHash / 1000, 2)} s`,
      baseline: `${fmt(noHash / 1000, 2)} s (lib-storage, no hash)`,
      ratio: `${fmt(withHash / noHash, 2)}×`,
      goal: '≤ 1.1×',
      met: withHash / noHash <= 1.1,
    });
    const sampleRows = (list: UploadSample[]) =>
      list.map((s) => [
        s.label,
        sizeLabel(s.bytes),
        fmt(s.mibPerSec),
        fmt(s.wallMs / 1000, 2),
        s.inProcessMs ? fmt(s.inProcessMs / 1000, 2) : '–',
        fmt(s.peakRssMiB, 0),
      ]);
    const head = ['uploader', 'file', 'MiB/s', 'wall s (spawn → exit)', 's in process', 'peak RSS MiB'];
    details.push(
      `### 2–3. Upload to s3rver\n\nOne generated incompressible file per size, uploaded to s3rver 3.7.1 on 127.0.0.1 (in the benchmark process) by each uploader in a process of its own; ` +
        'throughput = file size / wall time of that process (start-up included for every tool, about 0.5 s for Node). ' +
        `Peak RSS: VmHWM / \`process.resourceUsage().maxRSS\` of the Node child, GNU time's maximum RSS for the CLIs. CLI versions: ${JSON.stringify(env.tools)}; defaults (aws: 8 MB × 10, rclone: 5 MiB × 4).\n\n` +
        `Comparison, ${sizeLabel(u.compareSize)}, interleaved runs:\n\n${markdownTable(head, sampleRows(u.compare))}\n\n` +
        (u.big.length ? `${sizeLabel(u.bigSize)}:\n\n${markdownTable(head, sampleRows(u.big))}\n\n` : '') +
        (u.rss.length ? `Peak RSS at other sizes:\n\n${markdownTable(head, sampleRows(u.rss))}\n\n` : '') +
        `Tuning grid (same pipeline as \`uploadFile\`, one run each, ${sizeLabel(u.compareSize)}):\n\n${markdownTable(head, sampleRows(u.grid))}`,
    );
  }

  // 4. Dispatch
  if (r.dispatch) {
    const [burst, paced] = r.dispatch.phases;
    if (burst) {
      rows.push({
        target: '4',
        figure: `dispatch: ${burst.builds} builds at once, ${r.dispatch.workers} worker processes, stub podman`,
        measured: `${fmt(burst.buildsPerSec)} builds/s; enqueue→builder start p50 ${burst.enqueueToStartMs.p50} / p95 ${burst.enqueueToStartMs.p95} ms`,
        baseline: '–',
        ratio: '–',
        goal: 'duplicates 0, lost 0',
        met: burst.duplicates === 0 && burst.lost === 0 && burst.failed === 0,
      });
    }
    if (paced) {
      rows.push({
        target: '4',
        figure: `dispatch: ${paced.builds} builds paced at ${paced.rate}/s (half the measured capacity)`,
        measured: `enqueue→builder start p50 ${paced.enqueueToStartMs.p50} / p95 ${paced.enqueueToStartMs.p95} ms`,
        baseline: '–',
        ratio: '–',
        goal: 'duplicates 0, lost 0',
        met: paced.duplicates === 0 && paced.lost === 0 && paced.failed === 0,
      });
    }
    details.push(
      `### 4. Dispatch\n\n${r.dispatch.workers} \`workers/main.ts\` processes (the real worker, processor and pipeline, concurrency 1 each) on one Redis and s3rver; ` +
        '`bench/dispatch/stub-podman.sh` stands in for podman and writes a 64 KiB ISO at once, recording when the builder started. ' +
        `Real podman with the stand-in builder was not used here: one build takes about 3 s of podman on this machine (see the profile), so 500 would take ${'>'} 25 min on 2 cores.\n\n` +
        markdownTable(
          [
            'phase',
            'builds/s',
            'enqueue→start p50 / p95 / p99 ms',
            'enqueue→done p50 / p95 ms',
            'completed',
            'failed',
            'duplicates',
            'lost',
            'never started',
            'per worker',
          ],
          r.dispatch.phases.map((p) => [
            p.rate ? `paced ${p.rate}/s` : 'burst',
            fmt(p.buildsPerSec),
            `${p.enqueueToStartMs.p50} / ${p.enqueueToStartMs.p95} / ${p.enqueueToStartMs.p99}`,
            `${p.enqueueToDoneMs.p50} / ${p.enqueueToDoneMs.p95}`,
            String(p.completed),
            String(p.failed),
            String(p.duplicates),
            String(p.lost),
            String(p.neverStarted),
            Object.values(p.perWorker).join(' / '),
          ]),
        ),
    );
  }

  // 5. Cache
  if (r.profile) {
    const c = r.profile.identical;
    const times = c.runs.map((x) => x.toFinalMs);
    const worst = Math.max(...times);
    const hits = c.runs.filter((x) => x.reusedFrom === c.firstBuildId).length;
    rows.push({
      target: '5',
      figure: `identical request → final message (${c.runs.length} requests, worst)`,
      measured: `${fmt(worst, 0)} ms; ${hits}/${c.runs.length} answered from ${c.firstBuildId}`,
      baseline: `${fmt(c.fullBuildMs, 0)} ms (the full build)`,
      ratio: `${fmt(worst / c.fullBuildMs, 2)}×`,
      goal: '≤ 1 s, no builder run',
      met: worst <= 1000 && hits === c.runs.length,
    });
    details.push(
      `### 5. Identical-build cache

The profiled build's request, submitted again through the modal ${c.runs.length} times; each must be answered from build \`${c.firstBuildId}\` (worker: login, pulls for the digests, cache look-up and object check, fresh link; no builder). Time from the submission to the chat.update showing the final state.\n\n` +
        markdownTable(
          [
            'build',
            'reused from',
            'submission → final message (ms)',
            'worker job (ms)',
            'worker steps (ms)',
            'Slack calls',
          ],
          c.runs.map((x) => [
            x.buildId,
            x.reusedFrom ?? '**none: a builder ran**',
            fmt(x.toFinalMs, 0),
            fmt(x.workerMs, 0),
            JSON.stringify(x.timings),
            String(x.slackCalls),
          ]),
        ) +
        '\n\nDeduplication of concurrent identical requests and the cache surviving an emptied Redis are shown by `test/e2e/identical-builds.test.ts`.',
    );
  }

  // 6. Slack budget
  if (r.slack) {
    const s = r.slack;
    const maxTotal = Math.max(...s.builds.map((b) => b.total));
    const minGap = Math.min(...s.builds.map((b) => b.minUpdateGapMs).filter(Number.isFinite));
    const maxIn5 = Math.max(...s.builds.map((b) => b.maxUpdatesIn5s));
    rows.push({
      target: '6',
      figure: `Slack calls per build (${s.builds.length} builds, ${s.seconds} s each, progress every ${UPDATE_EVERY_MS} ms)`,
      measured: `${maxTotal} calls max; ≤ ${maxIn5} chat.update per 5 s (closest two ${fmt(minGap / 1000, 1)} s apart)`,
      baseline: `${Math.max(...s.builds.map((b) => b.progressEvents))} progress events per build`,
      ratio: '–',
      goal: '≤ 20 calls, ≤ 1 update / 5 s',
      met: maxTotal <= 20 && maxIn5 <= 1 && minGap >= 5000,
    });
    details.push(
      `### 6. Slack call budget\n\nThe real bot against the fake Slack; builds submitted through the modal; a stub worker reports progress every ${UPDATE_EVERY_MS} ms ` +
        '(the real worker coalesces to one write per 2 s). Calls attributed to a build: its status `chat.postMessage`, `chat.update` on that message, replies in its thread ' +
        '(the `views.open` of the form is not counted: these builds were submitted directly).\n\n' +
        markdownTable(
          [
            'build',
            'progress events',
            'chat.update',
            'thread replies',
            'calls in all',
            'closest updates (s)',
            'max updates in 5 s',
            'errors',
          ],
          s.builds.map((b) => [
            b.buildId,
            String(b.progressEvents),
            String(b.updates),
            String(b.replies),
            String(b.total),
            fmt(b.minUpdateGapMs / 1000, 1),
            String(b.maxUpdatesIn5s),
            String(b.errors),
          ]),
        ) +
        `\n\nAll Web API calls of the run: ${JSON.stringify(s.otherCalls)}.`,
    );
  }

  // 7. Builder caches
  rows.push({
    target: '7',
    figure: 'builder caches (/store, /rpmmd)',
    measured: 'not measurable here (see README, Performance)',
    baseline: '–',
    ratio: '–',
    goal: '–',
  });

  if (r.profile) {
    const p = r.profile;
    details.push(
      `### Profile of one end-to-end build\n\nTestbed: real bot and worker processes, rootful podman with the bootc-image-builder stand-in (this tag pads the ISO with 64 MiB of random data), ` +
        `the registry with auth, s3rver, the fake Slack. Build \`${p.buildId}\`, ISO ${fmt(p.isoBytes / MIB, 1)} MiB, ${fmt(p.totalMs / 1000, 2)} s from the submission to the final message.\n\n` +
        markdownTable(
          ['step', 'ms', 'share'],
          p.steps.map(([name, v]) => [name, fmt(v, 0), `${fmt((v / p.totalMs) * 100, 0)} %`]),
        ) +
        `\n\nWorker step timings as recorded in manifest.json: ${JSON.stringify(p.manifestTimings)}. Slack calls for this build: ${JSON.stringify(p.slackCalls)}.`,
    );
  }

  const sectionRows = Object.entries(meta).map(([name, m]) => [
    name,
    String(m.seconds),
    `${m.loadBefore.toFixed(2)} → ${m.loadAfter.toFixed(2)}`,
    m.error ? `FAILED: ${m.error.split('\n')[0]}` : 'ok',
  ]);
  return [
    '# Benchmark results',
    '',
    `${env.mode} run, ${env.date}, commit ${env.commit}${env.dirty ? ' + uncommitted changes' : ''}, Node ${env.node}, ${env.cpus} CPUs, ${env.memGiB} GiB; ${env.seconds} s in all. ` +
      'Reproduce with `npm run bench` (or `npm run bench -- --quick`); see bench/README.md.',
    '',
    '## Summary',
    '',
    summaryTable(rows),
    '',
    '## Details',
    '',
    details.join('\n\n'),
    '',
    '### Sections',
    '',
    "The load average is the machine's (other processes included): figures measured under a high one are noisier.",
    '',
    markdownTable(['section', 'seconds', 'load average (1 min) before → after', 'status'], sectionRows),
    '',
  ].join('\n');
}

await main();
process.exit(0);
