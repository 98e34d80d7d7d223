import type { BuildContext } from '../build-context.ts';
import type { Step } from '../step.ts';

export type LinkContext = Pick<BuildContext, 'store'> & {
  settings: Pick<BuildContext['settings'], 'linkTtlSeconds'>;
  state: Pick<BuildContext['state'], 'artifacts' | 'link'>;
};

/** A time-limited download link for the build's first image (the one a person asked for). */
export const link: Step<LinkContext> = {
  name: 'link',
  shows: 'link',
  describe: () => 'creating download link',
  timeoutMs: () => 60_000,
  async run(ctx) {
    const image = ctx.state.artifacts.find((a) => a.role === 'image');
    if (!image) throw new Error('pipeline: no image artifact to link to');
    const signed = await ctx.store.presignGet(image.key, {
      ttlSeconds: ctx.settings.linkTtlSeconds,
      filename: image.filename,
    });
    ctx.state.link = { url: signed.url, expiresAt: signed.expiresAt.toISOString() };
  },
};
