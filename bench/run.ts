// `npm run bench [-- --quick] [-- --only=ack,upload,dispatch,slack,profile,identical] [-- --upload-size=4G]`
// The benchmark suite. Not a test: it never runs in `npm test` or CI. Every figure is measured against a
// baseline measured in the same run, on this machine; results go to bench/results/latest.md and latest.json.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { ACK_SCENARIOS, type AckCase, caseKey, runAckBench } from './ack/ack-bench.ts';
import { runDispatchBench } from './dispatch/dispatch-bench.ts';
import { runDownloadBench } from './downloads/download-bench.ts';
import { runIdenticalWaitBench } from './identical/identical-bench.ts';
import { REPO_ROOT } from './lib/proc.ts';
import { plainTable } from './lib/report.ts';
import { GIB } from './lib/stats.ts';
import { parseArgs, type Section, type SectionMeta } from './options.ts';
import { renderResults } from './report/render-results.ts';
import type { BenchResults } from './report/report-types.ts';
import { runRoutingBench } from './routing/routing-bench.ts';
import { profileUnavailable, runProfileBench } from './slack/profile-build.ts';
import { runSlackBudgetBench } from './slack/slack-budget.ts';
import { runUploads } from './upload/run-uploads.ts';
import { toolVersions } from './upload/upload-bench.ts';
import { runWarmBench } from './warm/warm-bench.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const work = await mkdtemp(join(tmpdir(), 'bootc-iso-bench-'));
  const started = Date.now();
  const meta: Record<string, SectionMeta> = {};
  const results: BenchResults = {};
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
        profile: opts.ackProfile,
        log,
      }),
    );
    results.upload = await section('upload', (dir) => runUploads(dir, opts, log));
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
      return runProfileBench({ dir, log, linkIsoMiB: opts.linkIsoMiB });
    });
    results.downloads = await section('downloads', (dir) =>
      runDownloadBench({ dir, size: opts.downloadSize, rounds: opts.downloadRounds, log }),
    );
    results.warm = await section('warm', (dir) =>
      runWarmBench({ dir, imageBytes: opts.warmSize, rounds: opts.warmRounds, log }),
    );
    results.routing = await section('routing', (dir) =>
      runRoutingBench({ dir, imageBytes: opts.routingSize, builds: opts.routingBuilds, log }),
    );
    results.identical = await section('identical', (dir) =>
      runIdenticalWaitBench({
        dir,
        rounds: opts.identicalRounds,
        waiters: opts.identicalWaiters,
        windowMs: 10_000,
        log,
      }),
    );
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
  const markdown = renderResults(opts, results, meta, environment);
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

await main();
process.exit(0);
