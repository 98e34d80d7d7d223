import type { JobType } from 'bullmq';
import { ARCHES, type Arch } from '../domain/build-request.ts';
import type { BuildQueues } from '../queue/build-producer.ts';
import type { Output } from './follow-build.ts';
import { formatJobsTable } from './format-ops.ts';
import { JOB_STATES, type JobState, type JobView, toJobView } from './job-view.ts';
import { parseOpsArgs, usageError } from './ops-args.ts';

export const JOBS_USAGE = `usage: bootc-iso jobs [--state STATE ...] [--arch ARCH] [--limit N] [--json]

  --state STATE   ${JOB_STATES.join(', ')} (repeatable; default: all of them)
  --arch ARCH     only this architecture's queue (default: every one)
  --limit N       at most N builds, newest first (default 50, at most 1000)
  --json          a JSON array of builds`;

export interface JobsOptions {
  states: JobState[];
  arches: Arch[];
  limit: number;
  json: boolean;
}

/** Parses `bootc-iso jobs` arguments (pure). */
export function parseJobsArgs(argv: string[]): JobsOptions {
  const { values, positionals } = parseOpsArgs(
    argv,
    {
      state: { type: 'string', multiple: true },
      arch: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    JOBS_USAGE,
  );
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, JOBS_USAGE);
  const states: JobState[] = [];
  for (const raw of (values.state ?? []).flatMap((s) => s.split(','))) {
    const state = JOB_STATES.find((s) => s === raw.trim().toLowerCase());
    if (!state) throw usageError(`--state ${raw}: use one of ${JOB_STATES.join(', ')}`, JOBS_USAGE);
    if (!states.includes(state)) states.push(state);
  }
  const arch = values.arch === undefined ? undefined : ARCHES.find((a) => a === values.arch);
  if (values.arch !== undefined && !arch)
    throw usageError(`--arch ${values.arch}: use one of ${ARCHES.join(', ')}`, JOBS_USAGE);
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw usageError(`--limit ${values.limit}: give a whole number from 1 to 1000`, JOBS_USAGE);
  return {
    states: states.length ? states : [...JOB_STATES],
    arches: arch ? [arch] : [...ARCHES],
    limit,
    json: values.json ?? false,
  };
}

const BULLMQ_TYPES: Record<JobState, JobType[]> = {
  waiting: ['waiting', 'prioritized'],
  active: ['active'],
  delayed: ['delayed'],
  completed: ['completed'],
  failed: ['failed'],
};

/** Builds in the given states and queues, newest first. */
export async function listJobs(queues: BuildQueues, o: Omit<JobsOptions, 'json'>): Promise<JobView[]> {
  const lists = await Promise.all(
    o.arches.flatMap((arch) =>
      queues.ofArch(arch).flatMap((queue) =>
        o.states.map(async (state) => {
          const jobs = await queue.getJobs(BULLMQ_TYPES[state], 0, o.limit - 1);
          return jobs.filter(Boolean).map((job) => toJobView(job, state, arch));
        }),
      ),
    ),
  );
  return lists
    .flat()
    .sort((a, b) => Date.parse(b.queuedAt) - Date.parse(a.queuedAt))
    .slice(0, o.limit);
}

/** `bootc-iso jobs`: exit code 0 (an empty list is an answer too). */
export async function runJobsCommand(
  argv: string[],
  deps: { queues: BuildQueues; out: Output; now?: () => Date },
): Promise<number> {
  const opts = parseJobsArgs(argv);
  const views = await listJobs(deps.queues, opts);
  deps.out.write(
    opts.json ? `${JSON.stringify(views)}\n` : `${formatJobsTable(views, deps.now?.() ?? new Date())}\n`,
  );
  return 0;
}
