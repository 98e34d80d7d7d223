// latest.md: the summary table, every section's details and the load average around each section.
import { reportDownloads } from '../downloads/downloads-report.ts';
import { reportIdenticalWait } from '../identical/identical-report.ts';
import { markdownTable, summaryTable } from '../lib/report.ts';
import type { Options, SectionMeta } from '../options.ts';
import { reportRouting } from '../routing/routing-report.ts';
import { reportWarm } from '../warm/warm-report.ts';
import { reportAck, reportUploads } from './ack-upload-report.ts';
import {
  reportBuilderCaches,
  reportCache,
  reportDispatch,
  reportProfile,
  reportSlack,
} from './other-reports.ts';
import type { BenchResults, ReportContext } from './report-types.ts';

export function renderResults(
  opts: Options,
  r: BenchResults,
  meta: Record<string, SectionMeta>,
  env: Record<string, unknown>,
): string {
  const context: ReportContext = { r, opts, env, rows: [], details: [] };
  const { rows, details } = context;
  for (const report of [
    reportAck,
    reportUploads,
    reportDispatch,
    reportCache,
    reportSlack,
    reportBuilderCaches,
    reportProfile,
    reportDownloads,
    reportWarm,
    reportRouting,
    reportIdenticalWait,
  ])
    report(context);
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
