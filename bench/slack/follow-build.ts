// Submits one build through the modal of a running bot and follows it to its final Slack message: shared by the
// profile and the identical-build measurements.
import type { Job, Queue } from 'bullmq';
import { readJobWithState } from '../../src/queue/read-job.ts';
import { DEFAULT_CHANNEL } from '../../test/fakes/slack-state.ts';
import { viewSubmissionPayload } from '../../test/support/slack-requests.ts';
import type { CallSummary, FakeSlackProcess } from '../lib/fake-slack.ts';
import { runLoad } from '../lib/load.ts';
import { until } from '../lib/proc.ts';

export interface BotUnderTest {
  eventsUrl: string;
  secret: string;
  fake: FakeSlackProcess;
  queue: Queue;
}

export interface FollowedBuild {
  buildId: string;
  submittedAt: number;
  ackMs: number;
  statusPostAt: number;
  job: Job;
  /** The chat.update that showed the final state. */
  finalAt: number;
  /** Calls about this build: edits of its message and replies in its thread. */
  calls: CallSummary[];
}

export async function submitAndFollow(
  bot: BotUnderTest,
  form: { view: Record<string, unknown>; values: unknown; userId: string },
): Promise<FollowedBuild> {
  const seen = new Set((await bot.fake.messages()).map((m) => m.ts));
  const submittedAt = Date.now();
  const submit = await runLoad({
    url: bot.eventsUrl,
    secret: bot.secret,
    total: 1,
    concurrency: 1,
    check: (status, body) => status === 200 && body === '',
    prepare: () => ({
      body: new URLSearchParams({
        payload: JSON.stringify(
          viewSubmissionPayload({ userId: form.userId, view: form.view, values: form.values as never }),
        ),
      }).toString(),
    }),
  });
  if (submit.badBodies || submit.errors)
    throw new Error(`the submission was refused: ${submit.samples.join(' | ')}`);
  const status = await until(
    'the status message',
    async () =>
      (await bot.fake.messages()).find(
        (m) => m.channel === DEFAULT_CHANNEL && !m.thread_ts && !seen.has(m.ts),
      ),
    30_000,
    20,
  );
  const buildId = /(b[0-9a-z]{8})/.exec(status.text)?.[1] ?? '';
  const job = await until(
    `build ${buildId} to finish`,
    async () => {
      // State first, then the job (src/queue/read-job.ts): a completed build then always has its result.
      const read = await readJobWithState(bot.queue, buildId);
      if (read?.state === 'failed') throw new Error(`build ${buildId} failed: ${read.job.failedReason}`);
      return read?.state === 'completed' ? read.job : undefined;
    },
    300_000,
    20,
  );
  const final = await until(
    `the final message of ${buildId}`,
    async () => {
      const updates = (await bot.fake.calls()).filter(
        (c) => c.method === 'chat.update' && c.ts === status.ts,
      );
      const message = (await bot.fake.messages()).find((m) => m.ts === status.ts);
      return message && /ready|complete|done/i.test(message.text) ? updates.at(-1) : undefined;
    },
    30_000,
    20,
  );
  const all = await bot.fake.calls();
  const calls = all.filter(
    (c) => (c.method === 'chat.update' && c.ts === status.ts) || c.thread_ts === status.ts,
  );
  const statusPost = all.find((c) => c.method === 'chat.postMessage' && !c.thread_ts && c.at >= submittedAt);
  return {
    buildId,
    submittedAt,
    ackMs: submit.latencies[0] ?? Number.NaN,
    statusPostAt: statusPost?.at ?? submittedAt,
    job,
    finalAt: final.at,
    calls,
  };
}
