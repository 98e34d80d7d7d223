import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  builderCacheDirs,
  createBuilderCaches,
  pruneBuilderCaches,
  withBuilderCaches,
} from '../../../workers/builder-caches.ts';

const DAY = 86_400_000;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caches-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('builder caches', () => {
  it('default to store and rpmmd under the work directory, and keep configured ones', async () => {
    const config = withBuilderCaches({ worker: { workDir: dir } });
    expect(builderCacheDirs(config.worker)).toEqual([join(dir, 'store'), join(dir, 'rpmmd')]);
    await createBuilderCaches(config.worker);
    expect((await stat(join(dir, 'store'))).isDirectory()).toBe(true);
    expect((await stat(join(dir, 'rpmmd'))).isDirectory()).toBe(true);
    const mine = withBuilderCaches({ worker: { workDir: dir, storeCache: '/srv/store' } });
    expect(builderCacheDirs(mine.worker)).toEqual(['/srv/store', join(dir, 'rpmmd')]);
  });

  it('empties a cache over its size bound, keeps one under it, and keeps the directory itself', async () => {
    const big = join(dir, 'store');
    const small = join(dir, 'rpmmd');
    await mkdir(join(big, 'objects'), { recursive: true });
    await mkdir(small);
    await writeFile(join(big, 'objects', 'a'), Buffer.alloc(3000));
    await writeFile(join(small, 'repomd.xml'), Buffer.alloc(100));
    const pruned = await pruneBuilderCaches([big, small], { maxBytes: 2000, maxIdleDays: 14 });
    expect(pruned.map((p) => p.dir)).toEqual([big]);
    expect(await readdir(big)).toEqual([]);
    expect(await readdir(small)).toEqual(['repomd.xml']);
  });

  it('empties a cache nothing in which changed for longer than the idle bound', async () => {
    const store = join(dir, 'store');
    await mkdir(join(store, 'refs'), { recursive: true });
    await writeFile(join(store, 'refs', 'x'), 'x');
    const old = new Date(Date.now() - 20 * DAY);
    await utimes(join(store, 'refs', 'x'), old, old);
    await utimes(join(store, 'refs'), old, old);
    await utimes(store, old, old);
    expect(await pruneBuilderCaches([store], { maxBytes: 1e9, maxIdleDays: 30 })).toEqual([]);
    const pruned = await pruneBuilderCaches([store], { maxBytes: 1e9, maxIdleDays: 14 });
    expect(pruned).toEqual([{ dir: store, bytes: expect.any(Number), why: 'unchanged for over 14 days' }]);
    expect(await readdir(store)).toEqual([]);
  });
});
