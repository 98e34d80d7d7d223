import type { Arch } from '../domain/build-request.ts';

/**
 * One queue per architecture: a BullMQ worker takes every job of its queue, so routing by arch means separate
 * queues (queue-and-storage.md A7). The hash-tagged prefix keeps every key of a queue in one Redis Cluster slot.
 */
export const QUEUE_PREFIX = '{bootc-iso}';

export function buildQueueName(arch: Arch): string {
  return `builds-${arch}`;
}
