import { ARCHES, type Arch } from '../../domain/build-request.ts';

/**
 * The architectures the build form offers: those with a live build host first (the first is the
 * default), then the rest, marked as having no host (a build for them is accepted and waits). When the live list
 * could not be read in time (`undefined`), every arch is offered unmarked, since nothing is known.
 */
export function modalArchChoices(live: readonly Arch[] | undefined): { arches: Arch[]; offline: Arch[] } {
  if (live === undefined) return { arches: [...ARCHES], offline: [] };
  const liveInOrder = ARCHES.filter((a) => live.includes(a));
  const offline = ARCHES.filter((a) => !live.includes(a));
  return { arches: [...liveInOrder, ...offline], offline };
}
