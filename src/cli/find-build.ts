import type { Job } from 'bullmq';
import { ARCHES, type Arch } from '../domain/build-request.ts';
import type { BuildQueues } from '../queue/build-producer.ts';

export interface FoundBuild {
  job: Job;
  arch: Arch;
  state: string;
}

/** A build by id, whichever arch queue holds it (ids are unique across queues: they are random). */
export async function findBuild(queues: BuildQueues, buildId: string): Promise<FoundBuild | undefined> {
  const found = await Promise.all(
    ARCHES.map(async (arch) => ({ arch, job: (await queues.get(arch).getJob(buildId)) as Job | undefined })),
  );
  const hit = found.find((f) => f.job !== undefined);
  if (!hit?.job) return undefined;
  return { job: hit.job, arch: hit.arch, state: await hit.job.getState() };
}
