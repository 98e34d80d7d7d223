import { type BuildModalContext, buildModalView } from './build-modal.ts';

type FixedPart = Pick<BuildModalContext, 'presets' | 'defaultBuilder'>;
type VariablePart = Omit<BuildModalContext, keyof FixedPart>;

/**
 * The build modal as the JSON text views.open sends, memoised per process: past the config (fixed for the life of
 * the process) it depends only on the live arches, the channel and the prefill, so a burst of `/bootc-iso build` in
 * a channel renders it once instead of once per command (building and serialising the view was a large part
 * of the work competing with acks). Bounded: the oldest entry goes when it is full.
 */
export function createModalViewCache(
  fixed: FixedPart,
  limit = 256,
  render: (ctx: BuildModalContext) => unknown = buildModalView,
): (ctx: VariablePart) => string {
  const cache = new Map<string, string>();
  return (ctx) => {
    const key = JSON.stringify([
      ctx.arches,
      ctx.offlineArches ?? [],
      ctx.entitledArches ?? null,
      ctx.channelId,
      ctx.prefill ?? {},
    ]);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const json = JSON.stringify(render({ ...fixed, ...ctx }));
    if (cache.size >= limit) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(key, json);
    return json;
  };
}
