import { ARCHES, type Arch } from '../domain/build-request.ts';
import { type Capability, REQUIREMENT_SETS } from '../domain/capabilities.ts';

/**
 * One queue per architecture and per set of host capabilities a build requires: a BullMQ worker takes every job
 * of the queues it consumes, so routing means separate queues. `builds-x86_64` holds the builds any x86_64 host can
 * run; `builds-x86_64-rhel-entitlement` those only an entitled x86_64 host can, and only such hosts consume it. A
 * build with no capable host live waits in its queue, exactly as a build for an arch with no host does.
 * The hash-tagged prefix keeps every key of a queue in one Redis Cluster slot.
 */
export const QUEUE_PREFIX = '{bootc-iso}';

export function buildQueueName(arch: Arch, requires: readonly Capability[] = []): string {
  return ['builds', arch, ...requires].join('-');
}

export interface QueueRoute {
  arch: Arch;
  requires: readonly Capability[];
}

/** Every queue a build can be in, arch by arch. */
export const QUEUE_ROUTES: readonly QueueRoute[] = ARCHES.flatMap((arch) =>
  REQUIREMENT_SETS.map((requires) => ({ arch, requires })),
);

/** The queues a host of `arch` with `capabilities` consumes: those whose requirements it meets. */
export function routesServedBy(arch: Arch, capabilities: readonly string[]): QueueRoute[] {
  return REQUIREMENT_SETS.filter((set) => set.every((c) => capabilities.includes(c))).map((requires) => ({
    arch,
    requires,
  }));
}
