import { artifactKeys } from '../../../src/storage/artifact-store.ts';
import type { BuildContext } from '../build-context.ts';
import type { Step } from '../step.ts';
import { WaitForIdenticalBuild } from './claim-identical.ts';

export type KeepFailedLogContext = Pick<BuildContext, 'buildId' | 'store' | 'logger' | 'fence'> & {
  state: Pick<BuildContext['state'], 'paths' | 'log'>;
};

/**
 * A failed build's log is what the requester needs most: store it (best effort, one try) before the directory
 * goes. It runs for failures at any step, login and pull included, so podman's own answer is downloadable.
 */
export const keepFailedLog: Step<KeepFailedLogContext> = {
  name: 'keep-failed-log',
  shows: 'failed',
  describe: () => 'keeping the build log',
  when: 'failure',
  skip: (ctx, failure) => {
    if (failure instanceof WaitForIdenticalBuild) return 'not a failure: waiting for an identical build';
    return ctx.state.paths ? undefined : 'no work directory, so no log';
  },
  timeoutMs: () => 120_000,
  async run(ctx, scope) {
    const paths = ctx.state.paths;
    if (!paths) return;
    const message = scope.failure instanceof Error ? scope.failure.message : String(scope.failure);
    ctx.state.log?.line(`# build failed: ${message}`);
    await ctx.state.log?.flush();
    const key = artifactKeys(ctx.buildId).log;
    // An attempt that lost the build keeps no log: the name belongs to the attempt that owns it now.
    if (
      ctx.fence &&
      !(await ctx.fence.check().then(
        () => true,
        () => false,
      ))
    )
      return;
    await ctx.store
      .uploadFile(key, paths.buildLog, { contentType: 'text/plain; charset=utf-8' })
      .catch((error: unknown) =>
        ctx.logger.warn({ error: String(error) }, 'no build log kept for the failed build'),
      );
  },
};
