// Report of the identical section: builds waiting for an identical build, woken at the release against a look
// every 2 s (the design before it, measured in the same run).
import { markdownTable } from '../lib/report.ts';
import { fmt } from '../lib/stats.ts';
import type { ReportContext } from '../report/report-types.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

export function reportIdenticalWait({ r, rows, details }: ReportContext): void {
  const w = r.identical;
  if (!w || w.rounds.length === 0) return;
  const woken = w.rounds.map((x) => x.woken);
  const polled = w.rounds.map((x) => x.polled);
  const wokenCommands = median(woken.map((x) => x.commands));
  const polledCommands = median(polled.map((x) => x.commands));
  const wokenEvents = median(woken.map((x) => x.events));
  const polledEvents = median(polled.map((x) => x.events));
  const wokenMs = median(woken.map((x) => x.answeredMs));
  const polledMs = median(polled.map((x) => x.answeredMs));
  rows.push({
    target: 'identical',
    figure: `Redis commands per waiting build per 2 s (${w.waiters} builds waiting for an identical one)`,
    measured: `${fmt(wokenCommands, 2)} (woken at the release, median)`,
    baseline: `${fmt(polledCommands, 2)} (a look every 2 s, median)`,
    // Below zero is noise (the holder's own lock renewals vary by about 0.2 per 2 s): shown, but counted as 0.
    ratio: polledCommands > 0 ? `${fmt(Math.max(0, wokenCommands) / polledCommands, 3)}×` : '–',
    goal: '≤ 1 command',
    met: wokenCommands <= 1,
  });
  rows.push({
    target: 'identical',
    figure: 'queue events per waiting build per 2 s (each is work for every bot)',
    measured: fmt(wokenEvents, 2),
    baseline: fmt(polledEvents, 2),
    ratio: '–',
    goal: '0',
    met: wokenEvents === 0,
  });
  rows.push({
    target: 'identical',
    figure: "answer latency: the holder's builder finishing → every waiter completed",
    measured: `${wokenMs} ms (median)`,
    baseline: `${polledMs} ms (median)`,
    ratio: polledMs > 0 ? `${fmt(wokenMs / polledMs, 3)}×` : '–',
    goal: '< 10 s',
    met: wokenMs < 10_000,
  });
  details.push(
    `### Identical builds waiting\n\nOne worker (concurrency 2, stub podman whose builder runs until released) holds a build; ${w.waiters} identical builds are queued and wait for it. ` +
      `Redis commands are INFO commandstats over ${w.windowMs / 1000} s of waiting, less the same window's idle rate before the waiters came; events are entries about the waiters in the queue's event stream. ` +
      'The baseline is the design before the wake-up, still selectable in the code (no wake function: each waiter looks again every 2 s), measured in the same run; the rounds alternate which design goes first.\n\n' +
      markdownTable(
        [
          'round',
          'woken: commands',
          'woken: events',
          'woken: answered ms',
          'every 2 s: commands',
          'every 2 s: events',
          'every 2 s: answered ms',
        ],
        w.rounds.map((x, i) => [
          String(i + 1),
          fmt(x.woken.commands, 2),
          fmt(x.woken.events, 2),
          String(x.woken.answeredMs),
          fmt(x.polled.commands, 2),
          fmt(x.polled.events, 2),
          String(x.polled.answeredMs),
        ]),
      ),
  );
}
