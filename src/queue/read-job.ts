import type { Job, Queue } from 'bullmq';

export interface JobWithState {
  job: Job;
  state: string;
}

/**
 * A job and its state, read in that order on purpose: a worker writes a job's final progress and result before it
 * moves the job to completed/failed, so data read after the state is at least as new as the state. Read the other
 * way round, a build could be seen "failed" with the progress of a running step, or "completed" with no result.
 */
export async function readJobWithState(queue: Queue, jobId: string): Promise<JobWithState | undefined> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') return undefined;
  const job = (await queue.getJob(jobId)) as Job | undefined;
  return job ? { job, state } : undefined;
}
