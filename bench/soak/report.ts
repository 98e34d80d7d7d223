import { readFile, writeFile } from 'node:fs/promises';
import { FAULT_KINDS } from './faults.ts';
import type { SoakResult } from './run-soak.ts';

const HEADING = '## Soak';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A Markdown table with padded columns, as the formatter leaves it. */
function table(head: [string, string], rows: [string, string][]): string[] {
  const cells = [head, ...rows].map(([a, b]) => [a, b.replaceAll('|', '\\|')] as const);
  const w0 = Math.max(3, ...cells.map(([a]) => a.length));
  const w1 = Math.max(3, ...cells.map(([, b]) => b.length));
  const line = ([a, b]: readonly [string, string]) => `| ${a.padEnd(w0)} | ${b.padEnd(w1)} |`;
  const [first, ...rest] = cells;
  return [line(first ?? head), `| ${'-'.repeat(w0)} | ${'-'.repeat(w1)} |`, ...rest.map(line)];
}

/** The "## Soak" section for one run: a table of its figures and every problem it found. */
export function soakSection(r: SoakResult, commit = ''): string {
  const f = r.figures;
  const o = r.options;
  const counts = FAULT_KINDS.map((k) => `${k} ×${r.faults.filter((x) => x.kind === k).length}`).join(', ');
  const longestStop = Math.max(
    0,
    ...r.faults.filter((x) => x.kind === 'worker SIGSTOP/SIGCONT').map((x) => x.seconds),
  );
  const rows: [string, string][] = [
    [
      'Run',
      `\`${o.label}\`, finished ${r.finishedAt}, ${r.seconds} s (faults for ${o.minutes} min, then drain)`,
    ],
    ...(commit ? ([['Commit', commit]] as [string, string][]) : []),
    ['Seed', String(o.seed)],
    ['Set-up', `${o.workers} workers (concurrency 1, lock ${o.lockSeconds} s), 1 bot, fake Slack, test bed`],
    [
      'Builds',
      `${f.builds} submitted from Slack: ${f.completed} completed, ${f.failed} failed, ` +
        `${f.notQueued} not queued (refused at submission, said so in Slack), ${f.lost} lost`,
    ],
    ['Builder ran more than once', `${f.rerun} builds (a retry after a fault)`],
    [
      'Faults',
      `${r.faults.length}: ${counts}; longest SIGSTOP ${longestStop} s (drawn up to ${o.stopMaxSeconds} s)`,
    ],
    ['One final state and one final Slack message', `${f.slackFinalsOk}/${f.builds}`],
    [
      'Objects match manifest and sha256',
      `${f.artifactsChecked - f.artifactProblems}/${f.artifactsChecked} builds`,
    ],
    [
      'Orphan containers / work entries / objects',
      `${f.orphanContainers} / ${f.orphanWorkEntries} / ${f.orphanObjects}`,
    ],
    ['Redis used_memory before → after', `${mib(r.redisMemoryBefore)} → ${mib(r.redisMemoryAfter)}`],
    ['Result', r.problems.length === 0 ? 'all checks passed' : `${r.problems.length} problems (below)`],
  ];
  const lines = [
    HEADING,
    '',
    'Written by `npm run soak` (`bench/soak/`) on each run; replace by running it again. The CI test',
    '`test/soak/soak-short.test.ts` (in `npm test`; alone: `npm run soak:short`) runs the same code for about 3',
    'minutes and fails on any problem.',
    '',
    ...table(['Figure', 'Value'], rows),
    '',
  ];
  if (r.failedReasons.length) {
    lines.push('Failed and not queued builds (a final state; each reason as recorded):', '');
    lines.push(...r.failedReasons.slice(0, 20).map((p) => `- ${p.replaceAll('\n', ' ').slice(0, 300)}`), '');
  }
  if (r.problems.length) {
    lines.push('Problems found:', '', ...r.problems.slice(0, 40).map((p) => `- ${p}`), '');
  }
  return lines.join('\n');
}

/** Replaces the "## Soak" section of `file` (up to the next "## " heading), or appends it. */
export async function writeSoakReport(file: string, r: SoakResult, commit = ''): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const section = soakSection(r, commit);
  const start = text.indexOf(`\n${HEADING}\n`);
  if (start === -1) {
    await writeFile(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + HEADING.length + 1);
  const rest = next === -1 ? '' : text.slice(next);
  await writeFile(file, `${text.slice(0, start + 1)}${section}${rest}`);
}
