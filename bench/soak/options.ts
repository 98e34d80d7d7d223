import { parseArgs } from 'node:util';

export interface SoakOptions {
  builds: number;
  minutes: number;
  seed: number;
  workers: number;
  /** Worker lock duration: a worker frozen longer than this loses its build to another host. */
  lockSeconds: number;
  /** Longest SIGSTOP; below lockSeconds no build changes hands while its worker is frozen. */
  stopMaxSeconds: number;
  /** Mean seconds between two faults. */
  faultEverySeconds: number;
  /** Where the "## Soak" section is written; undefined: not written. */
  reportFile?: string;
  /** Label of the run in the report (e.g. "npm run soak" or "CI short"). */
  label: string;
}

export const DEFAULT_SOAK: SoakOptions = {
  builds: 200,
  minutes: 30,
  seed: 0,
  workers: 2,
  lockSeconds: 20,
  stopMaxSeconds: 40,
  faultEverySeconds: 25,
  label: 'npm run soak',
};

const USAGE = `usage: npm run soak -- [--builds N] [--minutes M] [--seed S] [--workers W] [--lock-seconds L]
       [--stop-max-seconds S] [--fault-every-seconds F] [--report FILE | --no-report]`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name}: "${raw}" is not a positive number\n${USAGE}`);
  return n;
}

/** Command-line options of `npm run soak`; the seed defaults to a random one, always printed. */
export function parseSoakArgs(argv: string[], reportFile: string): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      builds: { type: 'string' },
      minutes: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      'lock-seconds': { type: 'string' },
      'stop-max-seconds': { type: 'string' },
      'fault-every-seconds': { type: 'string' },
      report: { type: 'string' },
      'no-report': { type: 'boolean' },
    },
  });
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed: "${values.seed}" is not an integer\n${USAGE}`);
  return {
    ...DEFAULT_SOAK,
    builds: Math.round(positive('builds', values.builds, DEFAULT_SOAK.builds)),
    minutes: positive('minutes', values.minutes, DEFAULT_SOAK.minutes),
    seed,
    workers: Math.max(2, Math.round(positive('workers', values.workers, DEFAULT_SOAK.workers))),
    lockSeconds: Math.round(positive('lock-seconds', values['lock-seconds'], DEFAULT_SOAK.lockSeconds)),
    stopMaxSeconds: positive('stop-max-seconds', values['stop-max-seconds'], DEFAULT_SOAK.stopMaxSeconds),
    faultEverySeconds: positive(
      'fault-every-seconds',
      values['fault-every-seconds'],
      DEFAULT_SOAK.faultEverySeconds,
    ),
    ...(values['no-report'] ? {} : { reportFile: values.report ?? reportFile }),
  };
}
