// Command-line options of `npm run bench` (see bench/README.md).
import { join } from 'node:path';
import { REPO_ROOT } from './lib/proc.ts';
import { GIB, parseSize } from './lib/stats.ts';

export const SECTIONS = [
  'ack',
  'upload',
  'dispatch',
  'slack',
  'profile',
  'downloads',
  'warm',
  'routing',
  'identical',
] as const;
export type Section = (typeof SECTIONS)[number];

export function parseArgs(argv: string[]) {
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
    /** The file the downloads section serves (1 GiB; 256 MiB quick) and its rounds. */
    downloadSize: parseSize(flags.get('download-size') ?? (quick ? '256M' : '1G')),
    downloadRounds: num('download-rounds', 3, 2),
    /** The file uploaded through the delaying proxy (1 GiB; 256 MiB quick; 0 skips it). */
    latencySize: parseSize(flags.get('latency-size') ?? (quick ? '256M' : '1G')),
    /** The ISO of the profile's time-to-link build, MiB (1 GiB in both modes; 0 skips it). */
    linkIsoMiB: num('link-iso-mib', 1024, 1024),
    /** The warm section's random source image (at least 300 MiB in both modes) and its rounds. */
    warmSize: parseSize(flags.get('warm-size') ?? '320M'),
    warmRounds: num('warm-rounds', 3, 2),
    /** The routing section's two random source images and its build count. */
    routingSize: parseSize(flags.get('routing-size') ?? '64M'),
    routingBuilds: num('routing-builds', 20, 20),
    /** The identical section: rounds (each design once per round) and the waiting builds per round. */
    identicalRounds: num('identical-rounds', 3, 1),
    identicalWaiters: num('identical-waiters', 5, 5),
    /** Ack cases to run (caseKey names, e.g. modal,build,command@100/s); all when unset. */
    ackCases: flags.get('ack-cases')?.split(','),
    /** CPU profiles of the bot and the bare app in the ack section, summarised per request in the report. */
    ackProfile: flags.has('ack-profile'),
  };
}

export type Options = ReturnType<typeof parseArgs>;

export interface SectionMeta {
  seconds: number;
  loadBefore: number;
  loadAfter: number;
  error?: string;
}
