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
import { submittedState } from '../../test/support/slack-requests.ts';
import { freePort } from '../../test/testbed/free-port.ts';
import { missingTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../../test/testbed/index.ts';
import { startFakeSlackProcess } from '../lib/fake-slack.ts';
import { type Started, startTsx, until, waitHttp } from '../lib/proc.ts';
import { type FollowedBuild, submitAndFollow } from './follow-build.ts';
import { measureTimeToLink, type TimeToLink } from './time-to-link.ts';

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
  identical: { firstBuildId: string; fullBuildMs: number; runs: IdenticalRun[] };
  timeToLink?: TimeToLink;
}

export interface IdenticalRun {
  buildId: string;
  /** The build whose ISO answered this one; null would mean the cache missed (a builder ran). */
  reusedFrom: string | null;
  toFinalMs: number;
  workerMs: number;
  timings: Record<string, number>;
  slackCalls: number;
}

export function profileUnavailable(): string | undefined {
  const missing = missingTools(TESTBED_TOOLS);
  return missing.length ? `testbed tools missing: ${missing.join(', ')}` : undefined;
}

export async function runProfileBench(opts: {
  dir: string;
  log: (line: string) => void;
  /** The ISO size of the time-to-link build, MiB (0: none). */
  linkIsoMiB?: number;
}): Promise<ProfileResult> {
  const children: Started[] = [];
  let tb: Testbed | undefined;
  const fake = await startFakeSlackProcess(TOKEN, opts.dir);
  try {
    tb = await startTestbed();
    const work = join(opts.dir, 'e2e');
    await mkdir(work, { recursive: true });
    // The build types an image of the testbed registry, whose credentials the workers hold: the access rules must
    // allow typed images from it, as an operator's would.
    const host = tb.registry.host;
    const extraYaml = [
      'access:',
      `  typedImages: ["${host}/bootc/"]`,
      `  registries: { "${host}": {} }`,
    ].join('\n');
    const { env } = await writeE2eConfig(tb, work, tb.registry, { buildSeconds: 300, extraYaml });
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
    const queue = new Queue(buildQueueName(hostArch()), {
      connection: { url: tb.redis.url },
      prefix: QUEUE_PREFIX,
    });
    const target = { eventsUrl: `http://127.0.0.1:${port}/slack/events`, secret: SECRET, fake, queue };
    const form = { view, values, userId: 'U0PROFILE' };
    try {
      const built = await submitAndFollow(target, form);
      const profile = await profileOf(built, tb, opts.log);
      // The same request again, three times: each is answered from the first build's ISO.
      const reused: IdenticalRun[] = [];
      for (let i = 0; i < IDENTICAL_RUNS; i++) {
        const again = await submitAndFollow(target, form);
        const result = again.job.returnvalue as { reusedFrom?: string; timings: Record<string, number> };
        reused.push({
          buildId: again.buildId,
          reusedFrom: result.reusedFrom ?? null,
          toFinalMs: again.finalAt - again.submittedAt,
          workerMs: (again.job.finishedOn ?? 0) - (again.job.processedOn ?? 0),
          timings: result.timings,
          slackCalls: again.calls.length + 1,
        });
        opts.log(`  identical request ${i + 1}: final message after ${reused.at(-1)?.toFinalMs} ms`);
      }
      const timeToLink = opts.linkIsoMiB
        ? await measureTimeToLink(tb, target, opts.linkIsoMiB, opts.log)
        : undefined;
      return {
        ...profile,
        identical: { firstBuildId: built.buildId, fullBuildMs: profile.totalMs, runs: reused },
        ...(timeToLink ? { timeToLink } : {}),
      };
    } finally {
      await queue.close();
    }
  } finally {
    await Promise.all(children.map((c) => c.stop(15_000)));
    await fake.stop();
    await tb?.stop();
  }
}

const IDENTICAL_RUNS = 3;

async function profileOf(
  b: FollowedBuild,
  tb: Testbed,
  log: (line: string) => void,
): Promise<Omit<ProfileResult, 'identical'>> {
  const result = b.job.returnvalue as {
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
  const processedOn = b.job.processedOn ?? 0;
  const finishedOn = b.job.finishedOn ?? 0;
  // Pulls run side by side: the builder and source pulls overlap, so their sum overstates the time spent.
  const stepsSum = Object.entries(t).reduce((a, [k, v]) => (k === 'pullBuilder' ? a : a + v), 0);
  const steps: [string, number][] = [
    ['Slack: modal submission acked', b.ackMs],
    ['Slack: status message posted (after submit)', b.statusPostAt - b.submittedAt],
    ['queue: enqueued → worker picked it up', processedOn - (b.job.timestamp ?? processedOn)],
    ...Object.entries(t).map(([k, v]): [string, number] => [
      `worker: ${k}${k.startsWith('pull') ? ' (pulls in parallel)' : ''}`,
      v,
    ]),
    ['worker: log upload, link, manifest, clean-up (rest of the job)', finishedOn - processedOn - stepsSum],
    ['Slack: build finished → final message edited', b.finalAt - finishedOn],
  ];
  const slackCalls: Record<string, number> = { 'chat.postMessage (status)': 1 };
  for (const c of b.calls) slackCalls[c.method] = (slackCalls[c.method] ?? 0) + 1;
  for (const [name, ms] of steps) log(`  profile ${name}: ${Math.round(ms)} ms`);
  return {
    buildId: b.buildId,
    steps,
    totalMs: b.finalAt - b.submittedAt,
    isoBytes: result.iso.size,
    slackCalls,
    manifestTimings,
  };
}
