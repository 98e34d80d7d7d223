import { isTrustRole } from '../../../src/queue/build-job.ts';
import type { BuildContext } from '../build-context.ts';
import type { Step } from '../step.ts';

export type LinkContext = Pick<BuildContext, 'store'> & {
  settings: Pick<BuildContext['settings'], 'linkTtlSeconds'>;
  state: Pick<BuildContext['state'], 'artifacts' | 'link' | 'links'>;
};

/** Time-limited download links for every image and checking file; the first image's (the type asked for first) is the build's link. */
export const link: Step<LinkContext> = {
  name: 'link',
  shows: 'link',
  describe: () => 'creating download link',
  timeoutMs: () => 60_000,
  async run(ctx) {
    const images = ctx.state.artifacts.filter((a) => a.role === 'image');
    if (images.length === 0) throw new Error('pipeline: no image artifact to link to');
    const links: Record<string, string> = {};
    for (const [i, image] of images.entries()) {
      const signed = await ctx.store.presignGet(image.key, {
        ttlSeconds: ctx.settings.linkTtlSeconds,
        filename: image.filename,
      });
      links[image.key] = signed.url;
      if (i === 0) ctx.state.link = { url: signed.url, expiresAt: signed.expiresAt.toISOString() };
    }
    // The checking files get links too, so a user can fetch them beside the images.
    for (const file of ctx.state.artifacts.filter((a) => isTrustRole(a.role))) {
      const signed = await ctx.store.presignGet(file.key, {
        ttlSeconds: ctx.settings.linkTtlSeconds,
        filename: file.filename,
      });
      links[file.key] = signed.url;
    }
    ctx.state.links = links;
  },
};
