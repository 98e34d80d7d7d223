import type { BuildResult } from '../../src/queue/build-job.ts';
import { type BuildContext, required } from './build-context.ts';
import { runPipeline } from './runner.ts';
import type { Step } from './step.ts';
import { BUILD_STEPS } from './steps/index.ts';

/** How one attempt of the pipeline ended, before the queue decides what that means. */
export type PipelineOutcome =
  | { kind: 'succeeded'; result: BuildResult }
  | { kind: 'failed'; error: unknown; step: string };

/** Runs one attempt of one build through the steps; the work directory is removed whatever happens. */
export async function runBuild(
  ctx: BuildContext,
  steps: readonly Step<BuildContext>[] = BUILD_STEPS,
): Promise<PipelineOutcome> {
  const run = await runPipeline(steps, ctx);
  if (!run.ok) return { kind: 'failed', error: run.error, step: run.step };
  return { kind: 'succeeded', result: resultOf(ctx) };
}

/** The job's return value, from what the steps recorded. */
export function resultOf(ctx: BuildContext): BuildResult {
  const { state, request } = ctx;
  const pulled = required(state.pulled, 'pulled');
  const image = required(
    state.artifacts.find((a) => a.role === 'image'),
    'an image artifact',
  );
  const log = required(
    state.artifacts.find((a) => a.role === 'log'),
    'the log artifact',
  );
  return {
    buildId: ctx.buildId,
    iso: { key: image.key, size: image.size, sha256: image.sha256, filename: image.filename },
    artifacts: state.artifacts.map((a) => {
      const url = state.links?.[a.key];
      return url ? { ...a, url } : a;
    }),
    logKey: log.key,
    manifestKey: required(state.manifestKey, 'manifestKey'),
    link: required(state.link, 'link'),
    sourceImage: request.source,
    sourceDigest: pulled.sourceDigest,
    builderImage: request.builder.image,
    builderDigest: pulled.builderDigest,
    workerHost: ctx.settings.workerName,
    timings: state.timings,
    finishedAt: required(state.finishedAt, 'finishedAt'),
    ...(state.reused ? { reusedFrom: state.reused.buildId } : {}),
  };
}
