// Report of the routing section: bytes pulled with warmth-aware routing against routing that ignores warmth.
import { markdownTable } from '../lib/report.ts';
import { fmt, MIB } from '../lib/stats.ts';
import type { ReportContext } from '../report/report-types.ts';
import type { RoutingMode } from './routing-bench.ts';

export function reportRouting({ r, rows, details }: ReportContext): void {
  const x = r.routing;
  if (!x) return;
  const mib = (bytes: number) => fmt(bytes / MIB);
  const onHolder = (m: RoutingMode) => `${m.builds.filter((b) => b.holder).length}/${m.builds.length}`;
  rows.push({
    target: 'routing',
    figure: `bytes pulled by ${x.builds} builds of two presets over two workers, warmth-aware routing vs ignoring warmth`,
    measured: `${mib(x.on.pulledBytes)} MiB`,
    baseline: `${mib(x.off.pulledBytes)} MiB with the switch off (same run)`,
    ratio: `${fmt(x.ratio, 3)}×`,
    goal: '< 1×, extra wait ≤ 10 s',
    met: x.ratio < 1 && x.on.waitMsMax <= x.off.waitMsMax + x.preferSeconds * 1000,
  });
  details.push(
    `### Warmth-aware routing\n\nTwo workers (concurrency 1), fresh podman storages per mode: worker-1 holds preset a's ${Math.round(x.imageBytes / MIB)} MiB random source image, worker-2 preset b's. ` +
      `The same sequence \`${x.sequence}\` is queued through \`enqueueBuild\`, one build every ${x.gapMs} ms; a build is the real pull step then ${x.buildMs} ms standing in for the builder. ` +
      `Bytes pulled: what the registry sent through a counting TCP proxy in front of it (manifests included), after the hosts' first pulls. Window: ${x.preferSeconds} s.\n\n` +
      markdownTable(
        [
          'routing',
          'MiB pulled',
          'builds on a host holding the image',
          'hand-backs',
          'queued → start median ms',
          'max ms',
          'seconds',
        ],
        [x.on, x.off].map((m) => [
          m.preferWarmHosts ? 'warmth-aware' : 'ignores warmth',
          mib(m.pulledBytes),
          onHolder(m),
          String(m.handBacks),
          String(m.waitMsMedian),
          String(m.waitMsMax),
          String(m.seconds),
        ]),
      ),
  );
}
