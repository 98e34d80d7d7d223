// The downloads section of latest.md: MiB/s of the local download route against plain static servers.
import { markdownTable } from '../lib/report.ts';
import { fmt, sizeLabel } from '../lib/stats.ts';
import type { ReportContext } from '../report/report-types.ts';

export function reportDownloads({ r, rows, details }: ReportContext): void {
  const d = r.downloads;
  if (!d) return;
  const route = d.medians['local-downloads full'] ?? Number.NaN;
  const plain = d.medians['node http + createReadStream full'] ?? Number.NaN;
  rows.push({
    target: 'dl',
    figure: `local downloads: ${sizeLabel(d.size)} ISO over 127.0.0.1, curl to /dev/null, median of ${d.rounds}`,
    measured: `${fmt(route, 0)} MiB/s`,
    baseline: `${fmt(plain, 0)} MiB/s (node http + createReadStream)`,
    ratio: fmt(route / plain, 2),
    goal: 'within 20% of a plain static server',
    met: route / plain >= 0.8,
  });
  details.push(
    `### Local downloads\n\nThe signed-link route (\`src/http/local-downloads.ts\`: signature check, ETag, ranges) ` +
      'against static servers on the same file; "half" is a Range request for the second half (206).\n\n' +
      markdownTable(
        ['server', 'kind', 'median MiB/s'],
        Object.entries(d.medians).map(([key, value]) => {
          const kind = key.split(' ').at(-1) ?? '';
          return [key.slice(0, -kind.length - 1), kind, fmt(value, 0)];
        }),
      ),
  );
}
