import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../domain/errors.ts';
import { isBuildProgress } from '../queue/build-job.ts';
import type { BuildQueues } from '../queue/build-producer.ts';
import { type FoundBuild, findBuild } from '../queue/find-build.ts';
import { readJobWithState } from '../queue/read-job.ts';
import { type ArtifactStore, artifactKeys } from '../storage/artifact-store.ts';
import type { Output } from './follow-build.ts';
import { clean, formatJobDetails } from './format-ops.ts';
import { toJobView } from './job-view.ts';
import { buildIdArg, parseOpsArgs, usageError } from './ops-args.ts';

export const JOB_USAGE = `usage: bootc-iso job <build-id> [--logs [--follow]] [--json]

  (no option)   the build: request, state, progress, result and link, or the error and the builder's last lines
  --logs        print the build log, read from S3 (needs the workers' S3_* settings)
  --follow      with --logs: wait while the build is queued or running (progress on stderr), then print the log;
                exits 1 if the build failed
  --json        machine-readable output`;

export const NO_S3_FOR_LOGS =
  'bootc-iso job --logs reads the build log from S3, and S3_BUCKET is not set here: set S3_BUCKET, S3_ENDPOINT and ' +
  'the S3 credentials (S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_FORCE_PATH_STYLE) as on the build workers';

export interface JobOptions {
  buildId: string;
  logs: boolean;
  follow: boolean;
  json: boolean;
}

export function parseJobArgs(argv: string[]): JobOptions {
  const { values, positionals } = parseOpsArgs(
    argv,
    { logs: { type: 'boolean' }, follow: { type: 'boolean', short: 'f' }, json: { type: 'boolean' } },
    JOB_USAGE,
  );
  const buildId = buildIdArg(positionals, JOB_USAGE);
  if (values.follow && !values.logs) throw usageError('--follow goes with --logs', JOB_USAGE);
  return { buildId, logs: values.logs ?? false, follow: values.follow ?? false, json: values.json ?? false };
}

export interface JobCommandDeps {
  queues: BuildQueues;
  /** Present when the CLI has S3 settings; --logs needs it. */
  store: ArtifactStore | undefined;
  out: Output;
  err: Output;
  pollMs?: number;
  now?: () => Date;
}

const finished = (state: string) => state === 'completed' || state === 'failed';

/** Polls until the build completes or fails, writing each new progress line to `err`; undefined if it vanished. */
async function waitForEnd(
  found: FoundBuild,
  deps: JobCommandDeps,
  quiet: boolean,
): Promise<FoundBuild | undefined> {
  const queue = found.queue;
  let current: FoundBuild = found;
  let last = '';
  for (;;) {
    const p = current.job.progress;
    const line = isBuildProgress(p)
      ? `[${p.step}] ${p.message}${p.percent === undefined ? '' : ` (${p.percent}%)`}`
      : `[${current.state}]`;
    if (!quiet && line !== last) deps.err.write(`${clean(line, 300)}\n`);
    last = line;
    if (finished(current.state)) return current;
    await sleep(deps.pollMs ?? 2000);
    const next = await readJobWithState(queue, current.job.id ?? '');
    if (!next) return undefined;
    current = { ...next, arch: found.arch, queue };
  }
}

/** `bootc-iso job <id>`: 0 when shown; 1 when there is no such build, or no log (yet), or --follow saw it fail. */
export async function runJobCommand(argv: string[], deps: JobCommandDeps): Promise<number> {
  const opts = parseJobArgs(argv);
  if (opts.logs && !deps.store) throw new AppError('CONFIG_INVALID', NO_S3_FOR_LOGS);
  let found = await findBuild(deps.queues, opts.buildId);
  if (!found) {
    if (opts.json) deps.out.write(`${JSON.stringify({ buildId: opts.buildId, state: 'not-found' })}\n`);
    else deps.err.write(`bootc-iso: no build ${opts.buildId} (finished builds are kept for 30 days)\n`);
    return 1;
  }
  if (!opts.logs) {
    const view = toJobView(found.job, found.state, found.arch);
    deps.out.write(
      opts.json ? `${JSON.stringify(view)}\n` : `${formatJobDetails(view, deps.now?.() ?? new Date())}\n`,
    );
    return 0;
  }
  if (opts.follow) {
    const ended = await waitForEnd(found, deps, opts.json);
    if (!ended) {
      deps.err.write(
        `bootc-iso: build ${opts.buildId} was removed from the queue before it ran (cancelled)\n`,
      );
      return 1;
    }
    found = ended;
  }
  if (!finished(found.state)) {
    deps.err.write(
      `bootc-iso: build ${opts.buildId} is ${found.state}; its log is stored when it finishes: add --follow to wait for it\n`,
    );
    return 1;
  }
  const store = deps.store as ArtifactStore;
  const key = artifactKeys(opts.buildId).log;
  const log = (await store.headObject(key)) ? await store.getObjectText(key) : undefined;
  if (opts.json)
    deps.out.write(`${JSON.stringify({ buildId: opts.buildId, state: found.state, log: log ?? null })}\n`);
  else if (log !== undefined) deps.out.write(log.endsWith('\n') || log === '' ? log : `${log}\n`);
  if (log === undefined) {
    deps.err.write(
      `bootc-iso: no build log stored for build ${opts.buildId}: it failed before the builder started, or the log was removed\n`,
    );
    return 1;
  }
  return opts.follow && found.state === 'failed' ? 1 : 0;
}
