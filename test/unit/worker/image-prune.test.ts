import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeLeftoverWorkDirs } from '../../../workers/cleanup.ts';
import {
  DEFAULT_KEEP_DAYS,
  loadImageUseLog,
  planImagePrune,
  pruneOldImages,
  setUpImagePrune,
  withImageUse,
} from '../../../workers/image-prune.ts';
import type { LocalImage, Podman, PodmanImages } from '../../../workers/podman.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-01-31T12:00:00Z');
const BUILDER = 'quay.io/centos-bootc/bootc-image-builder:latest';
const logger = pino({ level: 'silent' });

function image(id: string, names: string[], extra: Partial<LocalImage> = {}): LocalImage {
  return { id, names, digests: [], containers: 0, createdMs: NOW - 400 * DAY, ...extra };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-prune-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the old-image policy', () => {
  const uses = (entries: Record<string, number>) => (key: string) => entries[key];

  it('removes an image whose last use is older than keepDays, by its tags', () => {
    const old = image('a1', ['quay.io/x/os:1', 'quay.io/x/os:latest']);
    const plan = planImagePrune([old], {
      builderRefs: [BUILDER],
      keepDays: 7,
      now: NOW,
      lastUse: uses({ 'quay.io/x/os:1': NOW - 8 * DAY }),
    });
    expect(plan.remove).toEqual([{ image: old, targets: ['quay.io/x/os:1', 'quay.io/x/os:latest'] }]);
  });

  it('keeps recently used images even when they were built long ago (creation date is not use)', () => {
    const plan = planImagePrune([image('a1', ['quay.io/x/os:1'])], {
      builderRefs: [],
      keepDays: 7,
      now: NOW,
      lastUse: uses({ 'quay.io/x/os:1': NOW - DAY }),
    });
    expect(plan.remove).toEqual([]);
  });

  it('never removes a configured builder or an image a container uses, however old', () => {
    const plan = planImagePrune(
      [image('b1', [BUILDER]), image('c1', ['quay.io/x/os:2'], { containers: 1 })],
      { builderRefs: [BUILDER], keepDays: 1, now: NOW, lastUse: () => NOW - 100 * DAY },
    );
    expect(plan.remove).toEqual([]);
    expect(plan.unseen).toEqual([]);
  });

  it('keeps a builder pulled by digest, matched by its digest reference', () => {
    const ref = `quay.io/centos-bootc/bootc-image-builder@sha256:${'e'.repeat(64)}`;
    const plan = planImagePrune([image('d1', [], { digests: [ref] })], {
      builderRefs: [ref],
      keepDays: 1,
      now: NOW,
      lastUse: () => 0,
    });
    expect(plan.remove).toEqual([]);
  });

  it('enters unrecorded images as first seen instead of removing them, and removes dangling ones by id later', () => {
    const dangling = image('f1', []);
    const first = planImagePrune([dangling], {
      builderRefs: [],
      keepDays: 3,
      now: NOW,
      lastUse: () => undefined,
    });
    expect(first).toEqual({ remove: [], unseen: [dangling] });
    const later = planImagePrune([dangling], {
      builderRefs: [],
      keepDays: 3,
      now: NOW + 4 * DAY,
      lastUse: uses({ 'id:f1': NOW }),
    });
    expect(later.remove).toEqual([{ image: dangling, targets: ['f1'] }]);
  });

  it('runs a pass with podman rmi, keeps the record in workDir and forgets what went', async () => {
    const file = join(dir, 'image-use.json');
    const log = await loadImageUseLog(file);
    log.set('quay.io/x/old:1', NOW - 30 * DAY);
    log.set('quay.io/x/new:1', NOW - DAY);
    const images = [
      image('o1', ['quay.io/x/old:1']),
      image('n1', ['quay.io/x/new:1']),
      image('u1', ['quay.io/x/unknown:1']),
      image('b1', [BUILDER]),
    ];
    const removed: string[] = [];
    const podman: PodmanImages = {
      listImages: async () => images,
      removeImage: async (ref) => {
        removed.push(ref);
        return true;
      },
    };
    const gone = await pruneOldImages({
      podman,
      builderRefs: [BUILDER],
      keepDays: 14,
      uses: log,
      logger,
      now: () => NOW,
    });
    expect(gone).toEqual(['quay.io/x/old:1']);
    expect(removed).toEqual(['quay.io/x/old:1']);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toEqual({ 'quay.io/x/new:1': NOW - DAY, 'id:u1': NOW });
    expect((await loadImageUseLog(file)).get('id:u1')).toBe(NOW);
  });

  it('keeps the record of an image podman refused to remove', async () => {
    const log = await loadImageUseLog(join(dir, 'image-use.json'));
    log.set('quay.io/x/old:1', NOW - 30 * DAY);
    const podman: PodmanImages = {
      listImages: async () => [image('o1', ['quay.io/x/old:1'])],
      removeImage: async () => false,
    };
    expect(
      await pruneOldImages({ podman, builderRefs: [], keepDays: 14, uses: log, logger, now: () => NOW }),
    ).toEqual([]);
    expect(log.get('quay.io/x/old:1')).toBe(NOW - 30 * DAY);
  });

  it('starts afresh from a damaged record', async () => {
    const file = join(dir, 'image-use.json');
    await writeFile(file, '{not json');
    expect((await loadImageUseLog(file)).keys()).toEqual([]);
  });

  it('marks an image used when a build pulls it', async () => {
    const log = await loadImageUseLog(join(dir, 'image-use.json'));
    const pulls: string[] = [];
    const podman = { pull: async (o: { ref: string }) => void pulls.push(o.ref) } as unknown as Podman;
    const tracked = withImageUse(podman, log, logger);
    await tracked.pull({
      ref: 'quay.io/x/os:1',
      registry: 'quay.io',
      authFile: '/a',
      insecure: false,
      timeoutMs: 1,
    });
    expect(pulls).toEqual(['quay.io/x/os:1']);
    expect(log.get('quay.io/x/os:1')).toBeGreaterThan(NOW - 365 * DAY);
    await log.save();
    expect(JSON.parse(await readFile(join(dir, 'image-use.json'), 'utf8'))).toHaveProperty([
      'quay.io/x/os:1',
    ]);
  });

  it('is on without worker.imagePrune: pulls are recorded for the default keepDays', async () => {
    const podman = { pull: async () => undefined } as unknown as Podman & PodmanImages;
    const prune = await setUpImagePrune({ builders: {}, worker: { workDir: dir } }, podman, logger);
    expect(prune.podman).not.toBe(podman);
    expect(DEFAULT_KEEP_DAYS).toBe(14);
  });

  it('is off with worker.imagePrune: false: podman comes back untouched', async () => {
    const podman = {} as Podman & PodmanImages;
    const prune = await setUpImagePrune(
      { builders: {}, worker: { workDir: dir, imagePrune: false } },
      podman,
      logger,
    );
    expect(prune.podman).toBe(podman);
    prune.start();
    prune.stop();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('start-up clean-up of the work directory', () => {
  it('removes build directories left by a crash and nothing else', async () => {
    await mkdir(join(dir, 'b7k2m9qxz', 'attempt-1', 'output'), { recursive: true });
    await writeFile(join(dir, 'b7k2m9qxz', 'attempt-1', 'output', 'install.iso'), 'ISO');
    await mkdir(join(dir, 'not-a-build'));
    await writeFile(join(dir, 'image-use.json'), '{}');
    expect(await removeLeftoverWorkDirs(dir, logger)).toEqual(['b7k2m9qxz']);
    expect((await readdir(dir)).sort()).toEqual(['image-use.json', 'not-a-build']);
  });

  it('does nothing when the directory does not exist', async () => {
    expect(await removeLeftoverWorkDirs(join(dir, 'missing'), logger)).toEqual([]);
  });
});
