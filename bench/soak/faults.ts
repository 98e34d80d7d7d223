import type { Fleet, Member } from './fleet.ts';

export const FAULT_KINDS = [
  'worker SIGKILL',
  'worker SIGSTOP/SIGCONT',
  'Redis restart',
  'storage outage',
  'registry outage',
  'bot restart',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultTargets {
  fleet: Fleet;
  redis: { restart(): Promise<void> };
  s3: { pause(): Promise<void>; resume(): Promise<void> };
  registry: { pause(): Promise<void>; resume(): Promise<void> };
}

export interface FaultRecord {
  kind: FaultKind;
  target: string;
  atSeconds: number;
  seconds: number;
}

/** mulberry32: a small seeded generator, so a run's schedule is reproduced from its printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** True when the worker's latest build line is a start (its current incarnation has a build in hand). */
function isBuilding(m: Member): boolean {
  const last = m.out.lines.findLast((l) =>
    /"msg":"(build started|build complete|build failed|handing the build back)/.test(l),
  );
  return last?.includes('"msg":"build started"') ?? false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Injects one fault after another until `endAt`: a random pause (mean `everySeconds`), then a fault. The first
 * round takes every kind once in a shuffled order, so even a short run sees each; later ones are drawn at random.
 */
export async function runFaults(
  targets: FaultTargets,
  opts: { seed: number; endAt: number; everySeconds: number; stopMaxSeconds: number; startedAt: number },
  log: (line: string) => void,
): Promise<FaultRecord[]> {
  const random = seededRandom(opts.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const firstRound = [...FAULT_KINDS].sort(() => random() - 0.5);
  const records: FaultRecord[] = [];
  for (let n = 0; ; n++) {
    await sleep(between(0.5, 1.5) * opts.everySeconds * 1000);
    if (Date.now() >= opts.endAt) break;
    const kind = firstRound[n] ?? pick(FAULT_KINDS);
    // Faults on a worker go to one that is building when there is one: a fault on an idle host proves little.
    const busy = targets.fleet.workers.filter(isBuilding);
    const worker = pick(busy.length > 0 ? busy : targets.fleet.workers);
    const began = Date.now();
    let target = '';
    switch (kind) {
      case 'worker SIGKILL':
        target = worker.name;
        await targets.fleet.killAndRestart(worker, between(1, 5) * 1000);
        break;
      case 'worker SIGSTOP/SIGCONT':
        target = worker.name;
        await targets.fleet.freeze(worker, between(2, opts.stopMaxSeconds) * 1000);
        break;
      case 'Redis restart':
        target = 'redis-server';
        await targets.redis.restart();
        break;
      case 'storage outage':
        target = 's3rver';
        await targets.s3.pause();
        await sleep(between(3, 15) * 1000);
        await targets.s3.resume();
        break;
      case 'registry outage':
        target = 'docker-registry';
        await targets.registry.pause();
        await sleep(between(3, 15) * 1000);
        await targets.registry.resume();
        break;
      case 'bot restart':
        target = 'bot';
        await targets.fleet.killAndRestart(targets.fleet.bot, between(1, 4) * 1000);
        break;
    }
    const record = {
      kind,
      target,
      atSeconds: Math.round((began - opts.startedAt) / 1000),
      seconds: Math.round((Date.now() - began) / 100) / 10,
    };
    records.push(record);
    log(`fault ${records.length}: ${kind} (${target}) at ${record.atSeconds} s for ${record.seconds} s`);
  }
  return records;
}
