import { readdir } from 'node:fs/promises';
import { LABELS } from '../../src/domain/bib-args.ts';
import type { BuildQueues } from '../../src/queue/build-producer.ts';
import { findBuild } from '../../src/queue/find-build.ts';
import { auditKey } from '../../src/slack/access/audit-log.ts';
import { ACTIONS } from '../../src/slack/action-ids.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import type { FakeSlack } from '../../test/fakes/slack-api.ts';
import { checkArtifacts } from '../../test/support/artifact-checks.ts';
import { type PodmanEnv, podman } from '../../test/testbed/index.ts';
import type { S3Handle } from '../../test/testbed/s3.ts';
import { buildIdOf, buttonOf } from './slack-submit.ts';

export interface SoakFigures {
  builds: number;
  completed: number;
  failed: number;
  /** Accepted in Slack but never queued (storage or Redis down at submission): said so in Slack, no job. */
  notQueued: number;
  lost: number;
  /** Builds whose builder ran more than once (a retry after a fault: allowed, counted). */
  rerun: number;
  slackFinalsOk: number;
  artifactsChecked: number;
  artifactProblems: number;
  orphanContainers: number;
  orphanWorkEntries: number;
  orphanObjects: number;
}

export interface CheckInput {
  ids: string[];
  queues: BuildQueues;
  fake: FakeSlack;
  channel: string;
  s3: S3Handle;
  penv: PodmanEnv;
  workDirs: string[];
  workerLines: string[];
  botLines: string[];
}

/**
 * A build's end as the soak sees it: its job's state in whichever queue holds it, or "not queued" when there is
 * no job because the bot could not queue it and said so in Slack; any other missing job is "missing" (a loss).
 */
export async function soakStateOf(
  queues: BuildQueues,
  fake: FakeSlack,
  channel: string,
  id: string,
  botLines: readonly string[],
): Promise<string> {
  const found = await findBuild(queues, id);
  if (found) return found.state;
  const status = fake.messages.find((m) => m.channel === channel && !m.thread_ts && buildIdOf(m) === id);
  const shown = status && fake.message(status.channel, status.ts);
  const refused = botLines.some((l) => l.includes(id) && l.includes('could not queue a build'));
  return refused && shown && /\bnot queued\b/.test(shown.text) ? 'not queued' : 'missing';
}

/** The end-of-run checks: every problem found is returned with the figures, none thrown. */
export async function checkSoak(
  input: CheckInput,
): Promise<{ figures: SoakFigures; problems: string[]; failedReasons: string[] }> {
  const problems: string[] = [];
  const store = createS3Store({ ...input.s3, forcePathStyle: true });
  const allowed = new Set<string>();
  let completed = 0;
  let failed = 0;
  let notQueued = 0;
  let lost = 0;
  let rerun = 0;
  let slackFinalsOk = 0;
  let artifactsChecked = 0;
  let artifactProblems = 0;
  const statuses = input.fake.messages.filter((m) => m.channel === input.channel && !m.thread_ts);
  const failedReasons: string[] = [];
  for (const id of input.ids) {
    // Every build submitted from Slack has its audit record next to its artifacts.
    allowed.add(auditKey(id));
    const state = await soakStateOf(input.queues, input.fake, input.channel, id, input.botLines);
    const job = (await findBuild(input.queues, id))?.job;
    const starts = input.workerLines.filter((l) => l.includes(id) && l.includes('running builder')).length;
    if (starts > 1) rerun++;
    if (state === 'completed') completed++;
    else if (state === 'failed') {
      failed++;
      failedReasons.push(`${id}: ${job?.failedReason ?? 'no reason recorded'}`);
    } else if (state === 'not queued') {
      notQueued++;
      failedReasons.push(`${id}: not queued (the bot said so in Slack; no job was created)`);
    } else {
      lost++;
      problems.push(`${id}: no final state (${state})`);
    }
    const mine = statuses.filter((m) => buildIdOf(m) === id);
    const message = mine[0] ? input.fake.message(mine[0].channel, mine[0].ts) : undefined;
    const download = message && buttonOf(message, ACTIONS.download);
    const retry = message && buttonOf(message, ACTIONS.retry);
    const readyReplies = mine[0]
      ? input.fake.replies(mine[0].channel, mine[0].ts).filter((r) => /ready/i.test(r.text)).length
      : 0;
    const slackOk =
      mine.length === 1 &&
      ((state === 'completed' && download && !retry && readyReplies === 1) ||
        (state === 'failed' && retry && !download && readyReplies === 0) ||
        (state === 'not queued' && !retry && !download && readyReplies === 0));
    if (slackOk) slackFinalsOk++;
    else {
      problems.push(
        `${id}: Slack shows ${mine.length} status message(s), ${download ? 'Download' : retry ? 'Retry' : 'no final'} ` +
          `button, ${readyReplies} "ready" replies, for a ${state} build`,
      );
    }
    if (state === 'completed') {
      const manifestKey: string = job?.returnvalue?.manifestKey ?? `builds/${id}/manifest.json`;
      const check = await checkArtifacts({ client: store.client, bucket: input.s3.bucket }, id, manifestKey);
      artifactsChecked++;
      for (const key of check.keys) allowed.add(key);
      if (check.problems.length) artifactProblems++;
      problems.push(...check.problems);
    } else if (state === 'failed') {
      allowed.add(`builds/${id}/build.log`);
    }
  }
  // Objects outside finished builds: anything but their manifests' objects, a failed build's log, the audit
  // records and the identical-build index.
  const orphanObjects: string[] = [];
  for await (const key of store.listKeys('')) {
    if (!allowed.has(key) && !key.startsWith('cache/')) orphanObjects.push(key);
  }
  if (orphanObjects.length)
    problems.push(`objects outside finished builds: ${orphanObjects.slice(0, 10).join(', ')}`);
  const { stdout } = await podman(input.penv, [
    'ps',
    '--all',
    '--filter',
    `label=${LABELS.managed}=true`,
    '--format',
    '{{.Names}}',
  ]);
  const containers = stdout.split('\n').filter(Boolean);
  if (containers.length) problems.push(`orphan builder containers: ${containers.join(', ')}`);
  const workEntries: string[] = [];
  // The worker's own lasting state lives beside the builds: the builder caches and the image-use record.
  const lasting = new Set(['store', 'rpmmd', 'image-use.json']);
  for (const dir of input.workDirs) {
    for (const entry of await readdir(dir, { recursive: true }).catch(() => [] as string[]))
      if (!lasting.has(entry.split('/')[0] ?? '')) workEntries.push(entry);
  }
  if (workEntries.length) problems.push(`work directories left: ${workEntries.slice(0, 10).join(', ')}`);
  return {
    figures: {
      builds: input.ids.length,
      completed,
      failed,
      notQueued,
      lost,
      rerun,
      slackFinalsOk,
      artifactsChecked,
      artifactProblems,
      orphanContainers: containers.length,
      orphanWorkEntries: workEntries.length,
      orphanObjects: orphanObjects.length,
    },
    problems,
    failedReasons,
  };
}
