import type { Redis } from 'ioredis';
import type { Arch } from '../domain/build-request.ts';
import { AppError } from '../domain/errors.ts';
import type { BuildQueues } from '../queue/build-producer.ts';
import { QUEUE_ROUTES } from '../queue/names.ts';
import { listLiveWorkers, liveArchesWithin, type WorkerInfo } from '../queue/worker-registry.ts';
import type { Output } from './follow-build.ts';
import { formatWorkers } from './format-ops.ts';
import { parseOpsArgs, usageError } from './ops-args.ts';

export const WORKERS_USAGE = `usage: bootc-iso workers [--json]

  Lists the build workers whose heartbeat is current: arch, builds running out of slots, free disk, podman,
  version, capabilities (rhel-entitlement: may build RHEL ISOs), the builder images on the host. Warns on stderr
  about queues with waiting builds and no worker that can take them.
  --json   a JSON array of workers`;

export function parseWorkersArgs(argv: string[]): { json: boolean } {
  const { values, positionals } = parseOpsArgs(argv, { json: { type: 'boolean' } }, WORKERS_USAGE);
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, WORKERS_USAGE);
  return { json: values.json ?? false };
}

/** Queues (arch, and what their builds need of a host) with builds waiting and no live worker to take them. */
export async function strandedArches(
  queues: BuildQueues,
  live: Pick<WorkerInfo, 'arch' | 'capabilities'>[],
): Promise<{ arch: Arch; requires: readonly string[]; waiting: number }[]> {
  const unserved = QUEUE_ROUTES.filter(
    (r) => !live.some((w) => w.arch === r.arch && r.requires.every((c) => w.capabilities.includes(c))),
  );
  const counts = await Promise.all(
    unserved.map(async ({ arch, requires }) => {
      const c = await queues.get(arch, requires).getJobCounts('waiting', 'prioritized', 'delayed');
      return { arch, requires, waiting: Object.values(c).reduce((s, n) => s + n, 0) };
    }),
  );
  return counts.filter((c) => c.waiting > 0);
}

/** "x86_64" or "x86_64 rhel-entitlement": the kind of host a queue needs. */
function hostKind(arch: Arch, requires: readonly string[]): string {
  return [arch, ...requires].join(' ');
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
  for (const { arch, requires, waiting } of await strandedArches(deps.queues, workers)) {
    const kind = hostKind(arch, requires);
    deps.err.write(
      `bootc-iso: warning: ${waiting} build(s) wait in the ${kind} queue and no ${kind} worker is online\n`,
    );
  }
  return 0;
}

/**
 * Warns (on `err`) when no live worker serves `arch` with `requires`: the build is queued anyway and waits for one.
 * When no worker at all has a live heartbeat on this Redis, the person is probably talking to the wrong Redis (a
 * distribution's own redis-server on 6379, say): a followed build would wait forever, so it is refused unless
 * `detached`.
 */
export async function warnWhenNoWorker(
  redis: Redis,
  arch: Arch,
  err: Output | undefined,
  opts: { detached: boolean; redisDescription?: string; requires?: readonly string[] } = { detached: true },
): Promise<void> {
  const requires = opts.requires ?? [];
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
  const capable = requires.length > 0 ? await liveArchesWithin(redis, 2000, requires) : live;
  if (capable && !capable.includes(arch)) {
    const host = requires.length
      ? `build worker for ${arch} with ${requires.join(', ')} (a registered RHEL host; RHEL ISOs need its subscription)`
      : `build worker for ${arch}`;
    err.write(`bootc-iso: warning: no ${host} is online; the build waits in the queue until one starts\n`);
  }
}
