import { describe, expect, it } from 'vitest';
import { chooseHost, holdsImage } from '../../../src/queue/host-preference.ts';
import type { WorkerInfo } from '../../../src/queue/worker-registry.ts';

const A = 'quay.io/os/a:1';
const DIGEST = `sha256:${'c'.repeat(64)}`;

function worker(name: string, overrides: Partial<WorkerInfo> = {}): WorkerInfo {
  return {
    name,
    host: name,
    arch: 'x86_64',
    concurrency: 1,
    running: [],
    disk: { workDirFreeGiB: 100, containerStorageFreeGiB: 100 },
    podmanVersion: '5.0.0',
    builderImages: [],
    startedAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    version: '0.1.0',
    capabilities: [],
    warmImages: [],
    localImages: [],
    ...overrides,
  };
}

const build = { arch: 'x86_64' as const, requires: [] as string[], source: A };

describe('holdsImage', () => {
  it('counts warm images and any local image by name; a digest-pinned source only with that digest', () => {
    expect(holdsImage(worker('w', { localImages: [A] }), A)).toBe(true);
    expect(holdsImage(worker('w', { warmImages: [{ ref: A, digest: DIGEST }] }), A)).toBe(true);
    expect(holdsImage(worker('w', { localImages: ['quay.io/os/a:2'] }), A)).toBe(false);
    const pinned = `${A}@${DIGEST}`;
    expect(holdsImage(worker('w', { localImages: [A] }), pinned)).toBe(false);
    expect(holdsImage(worker('w', { localImages: [`quay.io/os/a@${DIGEST}`] }), pinned)).toBe(true);
  });
});

describe('chooseHost', () => {
  it('prefers the host that holds the source image and has a free slot', () => {
    expect(chooseHost([worker('cold'), worker('warm', { localImages: [A] })], build)).toBe('warm');
  });

  it('prefers nobody when the holder is busy, draining, paused, of another arch or lacks a capability the build needs', () => {
    const cold = worker('cold');
    expect(chooseHost([cold, worker('warm', { localImages: [A], running: ['b1'] })], build)).toBeUndefined();
    expect(chooseHost([cold, worker('warm', { localImages: [A], draining: true })], build)).toBeUndefined();
    expect(chooseHost([cold, worker('warm', { localImages: [A], paused: true })], build)).toBeUndefined();
    expect(chooseHost([cold, worker('warm', { localImages: [A], arch: 'aarch64' })], build)).toBeUndefined();
    const entitled = { ...build, requires: ['rhel-entitlement'] };
    expect(
      chooseHost(
        [worker('cold', { capabilities: ['rhel-entitlement'] }), worker('warm', { localImages: [A] })],
        entitled,
      ),
    ).toBeUndefined();
  });

  it('prefers nobody when no host or every host holds the image', () => {
    expect(chooseHost([worker('one'), worker('two')], build)).toBeUndefined();
    expect(
      chooseHost([worker('one', { localImages: [A] }), worker('two', { localImages: [A] })], build),
    ).toBeUndefined();
  });

  it('picks the holder with the most free slots, then by name', () => {
    const workers = [
      worker('cold'),
      worker('b', { localImages: [A], concurrency: 2, running: ['x'] }),
      worker('c', { localImages: [A], concurrency: 3, running: ['y'] }),
      worker('a', { localImages: [A], concurrency: 2, running: [] }),
    ];
    expect(chooseHost(workers, build)).toBe('a');
  });
});
