import { describe, expect, it } from 'vitest';
import { buildQueueName, QUEUE_ROUTES, routesServedBy } from '../../../src/queue/names.ts';
import { archesServing, WorkerInfo } from '../../../src/queue/worker-registry.ts';

const base = {
  name: 'w',
  host: 'h',
  arch: 'x86_64',
  concurrency: 1,
  running: [],
  disk: { workDirFreeGiB: 1, containerStorageFreeGiB: 1 },
  podmanVersion: '5.0.0',
  builderImages: [],
  startedAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  version: '0.1.0',
};

describe('capabilities in the worker registry and queue names', () => {
  it('reads a heartbeat of an older worker (no capabilities) as offering none', () => {
    expect(WorkerInfo.parse(base).capabilities).toEqual([]);
    expect(
      WorkerInfo.parse({ ...base, capabilities: ['rhel-entitlement', 'future-thing'] }).capabilities,
    ).toEqual(['rhel-entitlement', 'future-thing']);
  });

  it('knows which arches have a host offering what a build needs', () => {
    const workers = [
      WorkerInfo.parse({ ...base, name: 'a', arch: 'aarch64', capabilities: ['rhel-entitlement'] }),
      WorkerInfo.parse({ ...base, name: 'b', arch: 'x86_64' }),
    ];
    expect(archesServing(workers)).toEqual(['x86_64', 'aarch64']);
    expect(archesServing(workers, ['rhel-entitlement'])).toEqual(['aarch64']);
  });

  it('names one queue per arch and requirement set; a host consumes those it can serve', () => {
    expect(buildQueueName('x86_64')).toBe('builds-x86_64');
    expect(buildQueueName('x86_64', ['rhel-entitlement'])).toBe('builds-x86_64-rhel-entitlement');
    expect(QUEUE_ROUTES).toHaveLength(10);
    expect(new Set(QUEUE_ROUTES.map((r) => buildQueueName(r.arch, r.requires))).size).toBe(10);
    expect(routesServedBy('aarch64', []).map((r) => buildQueueName(r.arch, r.requires))).toEqual([
      'builds-aarch64',
    ]);
    expect(
      routesServedBy('aarch64', ['rhel-entitlement']).map((r) => buildQueueName(r.arch, r.requires)),
    ).toEqual(['builds-aarch64', 'builds-aarch64-rhel-entitlement']);
  });
});
