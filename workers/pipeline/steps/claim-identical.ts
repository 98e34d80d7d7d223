import type { BuildContext } from '../build-context.ts';
import type { Step } from '../step.ts';
import { type IdenticalContext, identicalOf, lookForIdentical } from './reuse-identical.ts';

export type ClaimContext = IdenticalContext & {
  settings: { worker: Pick<BuildContext['settings']['worker'], 'lockSeconds'> };
};

/** Thrown when an identical build is running elsewhere: the job waits for it instead of building the same ISO. */
export class WaitForIdenticalBuild extends Error {
  override readonly name = 'WaitForIdenticalBuild';
  readonly holder: string;
  constructor(holder: string) {
    super(`an identical build (${holder}) is running; this build will get its ISO`);
    this.holder = holder;
  }
}

/**
 * Claims the identical-build key for this build, or ends the attempt with WaitForIdenticalBuild when another build
 * holds it. The claim is renewed while the build runs and released at clean-up. An identical build may have
 * finished (recorded, then released its claim) between the look-up and the claim: it looks once more.
 */
export const claimIdentical: Step<ClaimContext> = {
  name: 'claim-identical',
  shows: 'pull',
  describe: () => 'claiming the build',
  planned: (ctx) => !ctx.request.rebuild && ctx.claims !== undefined,
  skip: (ctx) => (ctx.state.reused ? 'answered by an identical build' : undefined),
  async run(ctx, scope) {
    const claims = ctx.claims;
    if (!claims) return;
    const { key } = identicalOf(ctx);
    const tag = ctx.fence?.tag;
    let holder = await claims.claim(key, ctx.buildId, tag);
    // Listed as a waiter, the build is woken by the holder's release. A claim released before the listing leaves
    // nobody to wake it: it claims again instead.
    for (let tries = 1; holder; tries += 1) {
      if ((await claims.markWaiting(ctx.buildId, key)) || tries >= 3) throw new WaitForIdenticalBuild(holder);
      holder = await claims.claim(key, ctx.buildId, tag);
    }
    await claims.clearWaiting(ctx.buildId);
    // The claim lives as long as a job lock: a dead host's claim lapses about when its build is taken over.
    const renewEvery = Math.max(1000, Math.floor((ctx.settings.worker.lockSeconds * 1000) / 3));
    const timer = setInterval(() => {
      claims.renew(key, ctx.buildId, tag).catch((error: unknown) => {
        ctx.logger.warn({ error: String(error) }, 'could not renew the identical-build claim');
      });
    }, renewEvery);
    timer.unref();
    scope.defer('release the identical-build claim', async () => {
      clearInterval(timer);
      await claims.release(key, ctx.buildId, tag).catch((error: unknown) => {
        ctx.logger.warn({ error: String(error) }, 'could not release the identical-build claim');
      });
    });
    await lookForIdentical(ctx);
  },
};
