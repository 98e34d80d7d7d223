// Report of the warm section: the pull step on a warm worker against a cold pull into empty storage.
import { markdownTable } from '../lib/report.ts';
import { fmt, MIB } from '../lib/stats.ts';
import type { ReportContext } from '../report/report-types.ts';

export function reportWarm({ r, rows, details }: ReportContext): void {
  const w = r.warm;
  if (!w) return;
  const mib = Math.round(w.imageBytes / MIB);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;
  const warmMs = med(w.rounds.map((x) => x.warmMs));
  const coldMs = med(w.rounds.map((x) => x.coldMs));
  const spread = w.ratios.length
    ? `${fmt(Math.min(...w.ratios), 3)} / ${fmt(w.medianRatio, 3)} / ${fmt(Math.max(...w.ratios), 3)}`
    : '–';
  rows.push({
    target: 'warm',
    figure: `pull step of a preset build (${mib} MiB random source + small builder), warm worker vs cold storage`,
    measured: `${warmMs} ms (median)`,
    baseline: `${coldMs} ms cold (median, same rounds)`,
    ratio: `${fmt(w.medianRatio, 3)}× (median of per-round ratios; min/median/max ${spread})`,
    goal: '≤ 0.2×',
    met: w.medianRatio <= 0.2,
  });
  details.push(
    `### Warm images\n\nThe source image is ${mib} MiB of incompressible random data (\`podman import\`), pushed with auth to the testbed registry; the builder is the small demo image. ` +
      'Each round pulls cold (the pull step, as a build runs it, into a fresh empty podman storage), then lets the image warmer fill another fresh storage and runs the same pull step there. ' +
      'Storage growth is `du -sb` of podman’s graph root around the pull step: 0 means the warm pull downloaded no layer.\n\n' +
      markdownTable(
        ['round', 'cold ms', 'warm ms', 'warm ÷ cold', 'cold storage growth MiB', 'warm storage growth MiB'],
        w.rounds.map((x, i) => [
          String(i + 1),
          String(x.coldMs),
          String(x.warmMs),
          fmt(x.warmMs / x.coldMs, 3),
          fmt(x.coldStorageGrowthBytes / MIB),
          fmt(x.warmStorageGrowthBytes / MIB, 2),
        ]),
      ),
  );
}
