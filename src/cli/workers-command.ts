import type { Redis } from 'ioredis';
import { ARCHES, type Arch } from '../domain/build-request.ts';
import { AppError } from '../domain/errors.ts';
import type { BuildQueues } from '../queue/build-producer.ts';
import { listLiveWorkers, liveArchesWithin } from '../queue/worker-registry.ts';
import type { Output } from './follow-build.ts';
import { formatWorkers } from './format-ops.ts';
import { parseOpsArgs, usageError } from './ops-args.ts';

export const WORKERS_USAGE = `usage: bootc-iso workers [--json]

  Lists the build workers whose heartbeat is current: arch, builds running out of slots, free disk, podman,
  version, the builder images on the host. Warns on stderr about queues with waiting builds and no worker.
  --json   a JSON array of workers`;

export function parseWorkersArgs(argv: string[]): { json: boolean } {
  const { values, positionals } = parseOpsArgs(argv, { json: { type: 'boolean' } }, WORKERS_USAGE);
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, WORKERS_USAGE);
  return { json: values.json ?? false };
}

/** Arches with builds waiting and no live worker to take them. */
export async function strandedArches(
  queues: BuildQueues,
  live: Arch[],
): Promise<{ arch: Arch; waiting: number }[]> {
  const idle = ARCHES.filter((a) => !live.includes(a));
  const counts = await Promise.all(
    idle.map(async (arch) => {
      const c = await queues.get(arch).getJobCounts('waiting', 'prioritized', 'delayed');
      return { arch, waiting: Object.values(c).reduce((s, n) => s + n, 0) };
    }),
  );
  return counts.filter((c) => c.waiting > 0);
}

/** `bootc-iso workers`: exit code 0. */
export async function runWorkersCommand(
  argv: string[],
  deps: { queues: BuildQueues; out: Output; err: Output; now?: () => Date },
): Promise<number> {
  const opts = parseWorkersArgs(argv);
  const workers = await listLiveWorkers(deps.queues.connection);
  deps.out.write(
    opts.json ? `${JSON.stringify(workers)}\n` : `${formatWorkers(workers, deps.now?.() ?? new Date())}\n`,
  );
  const stranded = await strandedArches(deps.queues, [...new Set(workers.map((w) => w.arch))]);
  for (const { arch, waiting } of stranded) {
    deps.err.write(
      `bootc-iso: warning: ${waiting} build(s) wait in the ${arch} queue and no ${arch} worker is online\n`,
    );
  }
  return 0;
}

/**
 * Warns (on `err`) when no live worker serves `arch`: the build is queued anyway and waits for one. When no worker
 * at all has a live heartbeat on this Redis, the person is probably talking to the wrong Redis (a distribution's
 * own redis-server on 6379, say): a followed build would wait forever, so it is refused unless `detached`.
 */
export async function warnWhenNoWorker(
  redis: Redis,
  arch: Arch,
  err: Output | undefined,
  opts: { detached: boolean; redisDescription?: string } = { detached: true },
): Promise<void> {
  const live = await liveArchesWithin(redis, 2000);
  if (live && live.length === 0 && !opts.detached) {
    throw new AppError(
      'QUEUE_UNAVAILABLE',
      `no build worker has a live heartbeat on Redis at ${opts.redisDescription ?? 'REDIS_URL'}, so nothing would ` +
        'build this; start `npm start` or `npm run worker` against this Redis (or set REDIS_URL to the one they use), ' +
        'or add --detach to queue the build anyway',
    );
  }
  if (!err) return;
  if (live && !live.includes(arch)) {
    err.write(
      `bootc-iso: warning: no build worker for ${arch} is online; the build waits in the queue until one starts\n`,
    );
  }
}
