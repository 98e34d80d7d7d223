// Where the time goes in one end-to-end build on the testbed: the real bot and worker processes, real podman with
// the bootc-image-builder stand-in, the registry with auth, s3rver and the fake Slack. The worker's own per-step
// timings (job result and manifest.json) are read back; the rest comes from job timestamps and the fake's records.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Queue } from 'bullmq';
import { hostArch } from '../../src/domain/host-arch.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { buildModalView } from '../../src/slack/views/build-modal.ts';
import { DEFAULT_CHANNEL } from '../../test/fakes/slack-state.ts';
import { writeE2eConfig } from '../../test/support/e2e-env.ts';
import { submittedState, viewSubmissionPayload } from '../../test/support/slack-requests.ts';
import { freePort } from '../../test/testbed/free-port.ts';
import { missingTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../../test/testbed/index.ts';
import { startFakeSlackProcess } from '../lib/fake-slack.ts';
import { runLoad } from '../lib/load.ts';
import { type Started, startTsx, until, waitHttp } from '../lib/proc.ts';

const TOKEN = 'xoxb-bench-profile-token-2a9c';
const SECRET = 'bench-profile-secret-c3d1';

export interface ProfileResult {
  buildId: string;
  /** [step, milliseconds] in the order they happen. */
  steps: [string, number][];
  totalMs: number;
  isoBytes: number;
  slackCalls: Record<string, number>;
  manifestTimings: Record<string, number>;
}

export function profileUnavailable(): string | undefined {
  const missing = missingTools(TESTBED_TOOLS);
  return missing.length ? `testbed tools missing: ${missing.join(', ')}` : undefined;
}

export async function runProfileBench(opts: {
  dir: string;
  log: (line: string) => void;
}): Promise<ProfileResult> {
  const children: Started[] = [];
  let tb: Testbed | undefined;
  const fake = await startFakeSlackProcess(TOKEN, opts.dir);
  try {
    tb = await startTestbed();
    const work = join(opts.dir, 'e2e');
    await mkdir(work, { recursive: true });
    const { env } = await writeE2eConfig(tb, work, tb.registry, { buildSeconds: 300 });
    const port = await freePort();
    const worker = startTsx('workers/main.ts', env, join(opts.dir, 'worker.log'));
    const bot = startTsx(
      'src/bin/bot.ts',
      {
        ...env,
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: fake.url,
        PORT: String(port),
      },
      join(opts.dir, 'bot.log'),
    );
    children.push(worker, bot);
    await waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000, bot.exited);
    await until(
      'worker ready',
      () => readFileSync(join(opts.dir, 'worker.log'), 'utf8').includes('worker ready'),
      60_000,
    );

    const view = buildModalView({
      presets: { demo: { image: tb.sourceRef, builder: 'standin', description: 'demo OS' } },
      defaultBuilder: 'standin',
      arches: [hostArch()],
      channelId: DEFAULT_CHANNEL,
      // A typed image: the stand-in pads the ISO of this tag with 64 MiB of random data, so the upload has work.
      prefill: { image: tb.faultRefs.big },
    }) as unknown as Record<string, unknown>;
    const values = submittedState(view, {});
    const submittedAt = Date.now();
    const submit = await runLoad({
      url: `http://127.0.0.1:${port}/slack/events`,
      secret: SECRET,
      total: 1,
      concurrency: 1,
      check: (status, body) => status === 200 && body === '',
      prepare: () => ({
        body: new URLSearchParams({
          payload: JSON.stringify(viewSubmissionPayload({ userId: 'U0PROFILE', view, values })),
        }).toString(),
      }),
    });
    if (submit.badBodies || submit.errors)
      throw new Error(`the submission was refused: ${submit.samples.join(' | ')}`);
    const ackMs = submit.latencies[0] ?? Number.NaN;
    const status = await until(
      'the status message',
      async () => (await fake.messages()).find((m) => m.channel === DEFAULT_CHANNEL && !m.thread_ts),
      30_000,
    );
    const buildId = /(b[0-9a-z]{8})/.exec(status.text)?.[1] ?? '';
    const queue = new Queue(buildQueueName(hostArch()), {
      connection: { url: tb.redis.url },
      prefix: QUEUE_PREFIX,
    });
    try {
      const job = await until(
        'the build to finish',
        async () => {
          const j = await queue.getJob(buildId);
          const state = await j?.getState();
          if (state === 'failed') throw new Error(`the profiled build failed: ${j?.failedReason}`);
          return state === 'completed' ? j : undefined;
        },
        300_000,
        250,
      );
      const final = await until(
        'the final status message',
        async () => {
          const calls = await fake.calls();
          const updates = calls.filter((c) => c.method === 'chat.update' && c.ts === status.ts);
          const message = (await fake.messages()).find((m) => m.ts === status.ts);
          return message && /ready|complete|done/i.test(message.text) ? updates.at(-1) : undefined;
        },
        30_000,
        200,
      );
      const calls = (await fake.calls()).filter(
        (c) => (c.method === 'chat.update' && c.ts === status.ts) || c.thread_ts === status.ts,
      );
      const statusPost = (await fake.calls()).find((c) => c.method === 'chat.postMessage' && !c.thread_ts);
      const result = job?.returnvalue as {
        timings: Record<string, number>;
        iso: { size: number };
        manifestKey: string;
      };
      const s3 = new S3Client({
        region: tb.s3.region,
        endpoint: tb.s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: tb.s3.accessKeyId, secretAccessKey: tb.s3.secretAccessKey },
      });
      const manifestText = await (
        await s3.send(new GetObjectCommand({ Bucket: tb.s3.bucket, Key: result.manifestKey }))
      ).Body?.transformToString();
      s3.destroy();
      const manifestTimings =
        (JSON.parse(manifestText ?? '{}') as { timings?: Record<string, number> }).timings ?? {};
      const t = result.timings;
      const processedOn = job?.processedOn ?? 0;
      const finishedOn = job?.finishedOn ?? 0;
      const stepsSum = Object.values(t).reduce((a, b) => a + b, 0);
      const steps: [string, number][] = [
        ['Slack: modal submission acked', ackMs],
        ['Slack: status message posted (after submit)', (statusPost?.at ?? submittedAt) - submittedAt],
        ['queue: enqueued → worker picked it up', processedOn - (job?.timestamp ?? processedOn)],
        ...Object.entries(t).map(([k, v]): [string, number] => [`worker: ${k}`, v]),
        [
          'worker: log upload, link, manifest, clean-up (rest of the job)',
          finishedOn - processedOn - stepsSum,
        ],
        ['Slack: build finished → final message edited', (final?.at ?? finishedOn) - finishedOn],
      ];
      const slackCalls: Record<string, number> = { 'chat.postMessage (status)': 1 };
      for (const c of calls) slackCalls[c.method] = (slackCalls[c.method] ?? 0) + 1;
      const totalMs = (final?.at ?? finishedOn) - submittedAt;
      for (const [name, ms] of steps) opts.log(`  profile ${name}: ${Math.round(ms)} ms`);
      return { buildId, steps, totalMs, isoBytes: result.iso.size, slackCalls, manifestTimings };
    } finally {
      await queue.close();
    }
  } finally {
    await Promise.all(children.map((c) => c.stop(15_000)));
    await fake.stop();
    await tb?.stop();
  }
}
