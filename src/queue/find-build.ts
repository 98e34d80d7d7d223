import type { Job } from 'bullmq';
import { ARCHES, type Arch } from '../domain/build-request.ts';
import type { BuildQueues } from './build-producer.ts';
import { readJobWithState } from './read-job.ts';

export interface FoundBuild {
  job: Job;
  arch: Arch;
  state: string;
}

/** A build by id, whichever arch queue holds it (ids are unique across queues: they are random). */
export async function findBuild(queues: BuildQueues, buildId: string): Promise<FoundBuild | undefined> {
  const found = await Promise.all(
    ARCHES.map(async (arch) => ({ arch, hit: await readJobWithState(queues.get(arch), buildId) })),
  );
  const hit = found.find((f) => f.hit !== undefined);
  return hit?.hit ? { ...hit.hit, arch: hit.arch } : undefined;
}
