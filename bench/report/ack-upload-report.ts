// Report sections for targets 1 (ack latency) and 2–3 (uploads).
import { SCENARIO_LABEL } from '../ack/ack-bench.ts';
import { CPU_CATEGORIES, type CpuCategory } from '../ack/cpu-profile.ts';
import { markdownTable } from '../lib/report.ts';
import { fmt, median, sizeLabel } from '../lib/stats.ts';
import type { UploadSample } from '../upload/upload-bench.ts';
import type { ReportContext } from './report-types.ts';

/** The spread of the per-run p99 ratios: `min / max`. */
function spread(runs: { ratio: { p99: number } }[]): string {
  const ratios = runs.map((run) => run.ratio.p99);
  return ratios.length ? `${fmt(Math.min(...ratios), 2)} / ${fmt(Math.max(...ratios), 2)}` : '–';
}

/** 1. Ack latency: p50/p95/p99 against the bare Bolt app, per case and run. */
export function reportAck({ r, opts, rows, details }: ReportContext): void {
  const ms = (v: number) => `${fmt(v, 1)} ms`;
  // 1. Ack latency
  if (r.ack) {
    for (const [key, s] of Object.entries(r.ack.scenarios)) {
      const paced = key.includes('@');
      const m = s.median;
      // The medians of p99 over runs do not divide into the median of the per-run ratios: say which is which.
      rows.push({
        target: '1',
        figure: `ack p99: ${key}${paced ? '' : `, concurrency ${r.ack.concurrency}`}`,
        measured: ms(m.bot.p99),
        baseline: `${ms(m.bare.p99)} (bare Bolt)`,
        ratio: `${fmt(m.ratio.p99, 2)}× median of per-run ratios (runs min / max ${spread(s.runs)}); measured ÷ baseline ${fmt(m.bot.p99 / m.bare.p99, 2)}×`,
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
        `${spread(s.runs)} / ${fmt(m.ratio.p99, 2)}`,
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
            'p99 ratio min / max / median',
            'after the ack',
          ],
          ackRows,
        ),
    );
    const prof = r.ack.profile;
    if (prof) {
      // Start-up is paid once per process (the bot restarts for every run), not per request.
      const perRequest = CPU_CATEGORIES.filter((c) => !c.startsWith('start-up'));
      const total = (side: Record<CpuCategory, number>) => perRequest.reduce((sum, c) => sum + side[c], 0);
      details.push(
        `#### Where the CPU goes (--ack-profile)\n\nCPU ms per request from \`node --cpu-prof\` of both sides over the same ${prof.requestsPerSide} requests each (warm-ups included, idle left out; start-up is shown but not in the total: the bot starts once per run, the bare app once); a sample counts for the nearest package or project frame on its stack. What the bot spends beyond the bare app is its own work for the request, before and after the ack.\n\n` +
          markdownTable(
            ['part', 'bot (ms / request)', 'bare (ms / request)', 'bot − bare'],
            [
              ...CPU_CATEGORIES.map((c) => [
                c,
                fmt(prof.bot[c], 3),
                fmt(prof.bare[c], 3),
                fmt(prof.bot[c] - prof.bare[c], 3),
              ]),
              [
                'total without start-up',
                fmt(total(prof.bot), 3),
                fmt(total(prof.bare), 3),
                fmt(total(prof.bot) - total(prof.bare), 3),
              ],
            ],
          ),
      );
    }
  }
}

/** 2 + 3. Uploads: throughput against the CLIs, peak RSS by size, the hash overhead, the tuning grid. */
export function reportUploads({ r, opts, env, rows, details }: ReportContext): void {
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
        `Tuning grid (same pipeline as \`uploadFile\`, one run each, ${sizeLabel(u.compareSize)}):\n\n${markdownTable(head, sampleRows(u.grid))}` +
        (u.latency?.length
          ? `\n\nWith added latency, ${sizeLabel(u.latencySize)}, one run each: a proxy (\`bench/lib/delay-proxy.ts\`) in front of s3rver holds every request for a fixed time before passing it on. ` +
            'This is per-request latency (each part, HEAD and multipart call waits once), not TCP round-trip time (which would also slow every window of a part).\n\n' +
            markdownTable(
              ['added per request', ...head],
              u.latency.map((l) => [`${l.delayMs} ms`, ...(sampleRows([l.sample])[0] ?? [])]),
            )
          : ''),
    );
    for (const delayMs of [...new Set((u.latency ?? []).map((l) => l.delayMs))]) {
      const at = (u.latency ?? []).filter((l) => l.delayMs === delayMs).map((l) => l.sample);
      const project = at.find((x) => x.tool === 'project');
      const best = at
        .filter((x) => x.tool === 'aws' || x.tool === 'rclone')
        .sort((a, b) => b.mibPerSec - a.mibPerSec)[0];
      if (!project) continue;
      rows.push({
        target: '2',
        figure: `upload ${sizeLabel(u.latencySize)} with ${delayMs} ms added per request (not TCP RTT), one run`,
        measured: `${fmt(project.mibPerSec)} MiB/s, peak RSS ${fmt(project.peakRssMiB, 0)} MiB`,
        baseline: best ? `${fmt(best.mibPerSec)} MiB/s (${best.tool}, the better CLI)` : '–',
        ratio: best ? `${fmt(project.mibPerSec / best.mibPerSec, 2)}×` : '–',
        goal: '≥ 1.0×; RSS ≤ 256 MiB',
        ...(best ? { met: project.mibPerSec >= best.mibPerSec && project.peakRssMiB <= 256 } : {}),
      });
    }
  }
}
