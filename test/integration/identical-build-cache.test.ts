import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdenticalBuildInputs } from '../../src/domain/identical-build.ts';
import { openLocalStore } from '../../src/local/open-local-store.ts';
import { createIdenticalBuildClaims } from '../../src/queue/identical-build-claims.ts';
import type { ArtifactStore } from '../../src/storage/artifact-store.ts';
import { artifactKeys, imageKey } from '../../src/storage/artifact-store.ts';
import { cacheEntryKey, findCachedBuild, recordCachedBuild } from '../../src/storage/build-cache.ts';
import { reindexBuildCache } from '../../src/storage/reindex-build-cache.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { type RedisHandle, type S3Handle, startRedis, startS3 } from '../testbed/index.ts';

let redis: RedisHandle;
let s3: S3Handle;
let client: Redis;
let dir: string;
const stores: Record<string, ArtifactStore> = {};

const INPUTS: IdenticalBuildInputs = {
  sourceRef: 'quay.io/org/os:1',
  sourceDigest: `sha256:${'a'.repeat(64)}`,
  builderDigest: `sha256:${'b'.repeat(64)}`,
  type: 'iso',
  arch: 'x86_64',
  configHash: 'c'.repeat(64),
};

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3({ bucket: 'cache' })]);
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  dir = await mkdtemp(join(tmpdir(), 'identical-'));
  stores.s3 = createS3Store({ ...s3, forcePathStyle: true });
  stores.local = await openLocalStore({
    dataDir: join(dir, 'data'),
    artifactDir: join(dir, 'artifacts'),
    artifactDirSet: true,
    publicUrl: 'http://127.0.0.1:9',
  });
});

afterAll(async () => {
  client?.disconnect();
  await Promise.all([redis?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A finished build's objects as the worker leaves them: ISO, then manifest, then the cache entry. */
async function finishedBuild(
  store: ArtifactStore,
  buildId: string,
  key: string,
  opts: { iso?: string; finishedAt?: string; record?: boolean; reusedFrom?: string } = {},
) {
  const keys = { ...artifactKeys(buildId), iso: imageKey(buildId, 'iso') };
  const iso = opts.iso ?? 'ISO-BYTES';
  await store.putObject(keys.iso, iso, 'application/x-iso9660-image');
  await store.putObject(keys.log, 'log', 'text/plain');
  const manifest = {
    buildId,
    identicalBuildKey: key,
    ...(opts.reusedFrom ? { reusedFrom: { buildId: opts.reusedFrom } } : {}),
    iso: { key: keys.iso, size: Buffer.byteLength(iso), sha256: 'f'.repeat(64), filename: `${buildId}.iso` },
    log: { key: keys.log },
    finishedAt: opts.finishedAt ?? '2026-11-26T10:00:00.000Z',
  };
  await store.putObject(keys.manifest, JSON.stringify(manifest), 'application/json');
  if (opts.record !== false)
    await recordCachedBuild(store, { key, buildId, manifestKey: keys.manifest, inputs: INPUTS });
  return keys;
}

const hexKey = (seed: string) => createHash('sha256').update(seed).digest('hex');

describe.each(['s3', 'local'])('identical-build cache entries in the %s store', (kind) => {
  const store = () => stores[kind] as ArtifactStore;

  it('finds a recorded build, with the ISO key and size from its manifest', async () => {
    const key = `${kind}1`.padEnd(64, '0');
    expect(await findCachedBuild(store(), key)).toEqual({ hit: false, why: 'no-entry' });
    const keys = await finishedBuild(store(), 'bcache0001', key);
    const found = await findCachedBuild(store(), key);
    expect(found).toMatchObject({
      hit: true,
      build: { buildId: 'bcache0001', manifestKey: keys.manifest, iso: { key: keys.iso, size: 9 } },
    });
  });

  it('is a miss, never a wrong answer, when what the entry points at is gone or changed', async () => {
    const key = `${kind}2`.padEnd(64, '0');
    const keys = await finishedBuild(store(), 'bcache0002', key);
    // The ISO was replaced by something of another size (a partial object must never be served).
    await store().putObject(keys.iso, 'short', 'application/x-iso9660-image');
    expect(await findCachedBuild(store(), key)).toEqual({ hit: false, why: 'iso-size-differs' });
    // A damaged entry.
    await store().putObject(cacheEntryKey(key), '{not json', 'application/json');
    expect(await findCachedBuild(store(), key)).toEqual({ hit: false, why: 'unreadable' });
    // An entry filed under another key.
    const other = `${kind}3`.padEnd(64, '0');
    await finishedBuild(store(), 'bcache0003', other);
    await store().putObject(cacheEntryKey(key), await store().getObjectText(cacheEntryKey(other)), 'x');
    expect(await findCachedBuild(store(), key)).toEqual({ hit: false, why: 'unreadable' });
    // An entry of this key pointing at the manifest of a build of another key.
    const foreign = {
      schemaVersion: 1,
      key,
      buildId: 'bcache0003',
      manifestKey: artifactKeys('bcache0003').manifest,
    };
    await store().putObject(cacheEntryKey(key), JSON.stringify(foreign), 'application/json');
    expect(await findCachedBuild(store(), key)).toEqual({ hit: false, why: 'unreadable' });
    expect((await findCachedBuild(store(), other)).hit).toBe(true);
  });
});

describe.each(['s3', 'local'])('rebuilding the identical-build index from manifests (%s store)', (kind) => {
  const store = () => stores[kind] as ArtifactStore;

  it('writes the missing entries, newest complete build per key, and skips what is no candidate', async () => {
    const [k1, k2, k3] = [hexKey(`${kind}-a`), hexKey(`${kind}-b`), hexKey(`${kind}-c`)];
    // Two builds of k1 whose entries were never written (or lost): the newer one must win.
    await finishedBuild(store(), `b${kind}old1`, k1, {
      record: false,
      finishedAt: '2026-11-01T00:00:00.000Z',
    });
    await finishedBuild(store(), `b${kind}new1`, k1, {
      record: false,
      finishedAt: '2026-11-20T00:00:00.000Z',
    });
    // k2: its entry is in place already.
    await finishedBuild(store(), `b${kind}cur2`, k2);
    // k3: its ISO is gone (replaced by a partial one): nothing to point at.
    const gone = await finishedBuild(store(), `b${kind}gone3`, k3, { record: false });
    await store().putObject(gone.iso, 'x', 'application/x-iso9660-image');
    // A build answered from another one is never a candidate itself.
    await finishedBuild(store(), `b${kind}reus1`, k1, {
      record: false,
      reusedFrom: `b${kind}old1`,
      finishedAt: '2026-11-25T00:00:00.000Z',
    });

    const before = await findCachedBuild(store(), k1);
    expect(before.hit).toBe(false);
    const report = await reindexBuildCache(store());
    expect(report.written).toBeGreaterThanOrEqual(1);
    expect(report.current).toBeGreaterThanOrEqual(1);
    expect(report.skipped).toBeGreaterThanOrEqual(3);
    expect(await findCachedBuild(store(), k1)).toMatchObject({
      hit: true,
      build: { buildId: `b${kind}new1` },
    });
    expect(await findCachedBuild(store(), k2)).toMatchObject({
      hit: true,
      build: { buildId: `b${kind}cur2` },
    });
    expect((await findCachedBuild(store(), k3)).hit).toBe(false);
    // Running it again changes nothing.
    const again = await reindexBuildCache(store());
    expect(again.written).toBe(0);
  });
});

describe('identical-build claims in Redis', () => {
  it('lets one build hold a key; others learn who holds it; the holder may claim again', async () => {
    const claims = createIdenticalBuildClaims(client, 5000);
    expect(await claims.claim('k1', 'bfirst001')).toBeUndefined();
    expect(await claims.claim('k1', 'bsecond01')).toBe('bfirst001');
    // The same build taken over by another host after its first host died.
    expect(await claims.claim('k1', 'bfirst001')).toBeUndefined();
    expect(await claims.renew('k1', 'bsecond01')).toBe(false);
    expect(await claims.renew('k1', 'bfirst001')).toBe(true);
    // Only the holder can release it.
    await claims.release('k1', 'bsecond01');
    expect(await claims.claim('k1', 'bsecond01')).toBe('bfirst001');
    await claims.release('k1', 'bfirst001');
    expect(await claims.claim('k1', 'bsecond01')).toBeUndefined();
  });

  it('remembers who waits for what, until the key is free', async () => {
    const claims = createIdenticalBuildClaims(client, 5000);
    await claims.claim('k2', 'bholder01');
    await claims.markWaiting('bwaiter01', 'k2');
    expect(await claims.stillWaiting('bwaiter01')).toBe('bholder01');
    expect(await claims.stillWaiting('bnobody01')).toBeUndefined();
    await claims.release('k2', 'bholder01');
    expect(await claims.stillWaiting('bwaiter01')).toBeUndefined();
    await claims.clearWaiting('bwaiter01');
    expect(await client.exists('{bootc-iso}:identical-wait:bwaiter01')).toBe(0);
  });

  it('lapses when its holder stops renewing it (a dead host blocks nobody for long)', async () => {
    const claims = createIdenticalBuildClaims(client, 300);
    await claims.claim('k3', 'bdead0001');
    expect(await claims.claim('k3', 'balive001')).toBe('bdead0001');
    await new Promise((r) => setTimeout(r, 450));
    expect(await claims.claim('k3', 'balive001')).toBeUndefined();
    const keys = await client.keys('*identical*');
    expect(keys.every((k) => k.startsWith('{bootc-iso}:'))).toBe(true);
  });
});
