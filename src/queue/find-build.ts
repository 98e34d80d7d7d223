import type { Job, Queue } from 'bullmq';
import type { Arch } from '../domain/build-request.ts';
import type { BuildQueues } from './build-producer.ts';
import { QUEUE_ROUTES } from './names.ts';
import { readJobWithState } from './read-job.ts';

export interface FoundBuild {
  job: Job;
  arch: Arch;
  /** The queue holding it (its arch's, or the one for builds needing an entitled host). */
  queue: Queue;
  state: string;
}

/** A build by id, whichever queue holds it (ids are unique across queues: they are random). */
export async function findBuild(queues: BuildQueues, buildId: string): Promise<FoundBuild | undefined> {
  const found = await Promise.all(
    QUEUE_ROUTES.map(async ({ arch, requires }) => {
      const queue = queues.get(arch, requires);
      return { arch, queue, hit: await readJobWithState(queue, buildId) };
    }),
  );
  const hit = found.find((f) => f.hit !== undefined);
  return hit?.hit ? { ...hit.hit, arch: hit.arch, queue: hit.queue } : undefined;
}

/** The queue of `arch` holding `buildId`, or undefined. */
export async function queueHolding(
  queues: BuildQueues,
  arch: Arch,
  buildId: string,
): Promise<Queue | undefined> {
  const queues_ = queues.ofArch(arch);
  const jobs = await Promise.all(queues_.map((q) => q.getJob(buildId)));
  return queues_[jobs.findIndex((j) => j !== undefined)];
}
