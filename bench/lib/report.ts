/** One line of the summary table. `met` is undefined when the figure has no target. */
export interface SummaryRow {
  target: string;
  figure: string;
  measured: string;
  baseline: string;
  ratio: string;
  goal: string;
  met?: boolean;
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function markdownTable(headers: string[], rows: string[][]): string {
  const lines = [`| ${headers.map(cell).join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

export function summaryTable(rows: SummaryRow[]): string {
  return markdownTable(
    ['#', 'figure', 'measured', 'baseline (same run)', 'ratio', 'target', 'met'],
    rows.map((r) => [
      r.target,
      r.figure,
      r.measured,
      r.baseline,
      r.ratio,
      r.goal,
      r.met === undefined ? '–' : r.met ? 'yes' : '**no**',
    ]),
  );
}

/** A plain-text rendering of a markdown table for the terminal (same columns, padded). */
export function plainTable(markdown: string): string {
  const rows = markdown
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|( ?-+ ?\|)+$/.test(l))
    .map((l) =>
      l
        .slice(2, -2)
        .split(' | ')
        .map((c) => c.replaceAll('\\|', '|').replaceAll('**', '')),
    );
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}
