import { z } from 'zod';
import type { BuildRequest } from './build-request.ts';
import { parseImageRef } from './image-ref.ts';

/**
 * What a build host can do beyond building. `rhel-entitlement`: the host is a registered RHEL system whose
 * subscription podman passes into containers, which the builder needs to download installer RPMs from Red Hat's
 * repositories for `iso` and `anaconda-iso` builds of RHEL sources. Hosts without it fail those builds at depsolve.
 */
export const CAPABILITIES = ['rhel-entitlement'] as const;
export const Capability = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof Capability>;

/** The sets of capabilities a build can require, each routed to a queue of its own (see queue/names.ts). */
export const REQUIREMENT_SETS: readonly (readonly Capability[])[] = [[], ['rhel-entitlement']];

/** Image types whose builder installs RPMs from the source's repositories on the build host. */
const NEEDS_HOST_REPOS = new Set<BuildRequest['type']>(['iso', 'anaconda-iso']);

interface Requiring {
  image: string;
  /** Unset on a preset: inferred from its image (RHEL sources need an entitled host). */
  requires?: readonly Capability[] | undefined;
}

/** The config the route of a build depends on. */
export interface RoutePolicy {
  builders: Record<string, { requires?: readonly Capability[] | undefined }>;
  presets?: Record<string, Requiring>;
}

/** A RHEL bootc image from Red Hat's registry: its repositories are served only to entitled hosts. */
export function isRhelSource(image: string): boolean {
  try {
    const ref = parseImageRef(image);
    return (
      /^(registry\.redhat\.io|registry\.access\.redhat\.com)$/.test(ref.registry) &&
      /^rhel/.test(ref.repository)
    );
  } catch {
    return false;
  }
}

/** Whether a preset's ISOs (iso, anaconda-iso) need an entitled host: as declared, else a RHEL source does. */
export function presetNeedsEntitlement(preset: Requiring): boolean {
  return preset.requires ? preset.requires.includes('rhel-entitlement') : isRhelSource(preset.image);
}

/**
 * The capabilities a build needs of its host: those its builder and its preset declare; a preset that declares
 * none (and a custom image) needs an entitled host when its source is RHEL. `bootc-installer` builds take the
 * installer from the payload image and need nothing of the host.
 */
export function requiredCapabilities(
  request: Pick<BuildRequest, 'type' | 'source' | 'preset' | 'builder'>,
  policy: RoutePolicy,
): Capability[] {
  if (!NEEDS_HOST_REPOS.has(request.type)) return [];
  const needed = new Set<Capability>(policy.builders[request.builder.name]?.requires ?? []);
  const preset = request.preset === undefined ? undefined : policy.presets?.[request.preset];
  const declared = preset?.image === request.source ? preset.requires : undefined;
  if (declared !== undefined) for (const c of declared) needed.add(c);
  else if (isRhelSource(request.source)) needed.add('rhel-entitlement');
  return CAPABILITIES.filter((c) => needed.has(c));
}
