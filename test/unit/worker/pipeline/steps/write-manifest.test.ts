import { describe, expect, it } from 'vitest';
import { findCachedBuild } from '../../../../../src/storage/build-cache.ts';
import { identicalOf } from '../../../../../workers/pipeline/steps/reuse-identical.ts';
import {
  MANIFEST_SCHEMA_VERSION,
  type WriteManifestContext,
  writeManifest,
} from '../../../../../workers/pipeline/steps/write-manifest.ts';
import { DIGEST_A, DIGEST_B, localStore, request, silent } from '../support.ts';

async function context(): Promise<WriteManifestContext> {
  const store = await localStore();
  const image = await store.putObject('builds/bman00001/install.iso', 'ISO', 'application/x-iso9660-image');
  return {
    buildId: 'bman00001',
    attempt: 1,
    request: request(),
    store,
    logger: silent,
    signal: new AbortController().signal,
    settings: { workerName: 'host-a' },
    state: {
      pulled: { sourceDigest: DIGEST_A, builderDigest: DIGEST_B },
      artifacts: [
        { role: 'image', type: 'iso', filename: 'bman00001-install.iso', ...image },
        { role: 'log', type: 'log', key: 'builds/bman00001/build.log', filename: 'l', size: 2, sha256: 'f' },
      ],
      podmanVersion: '5.0.0',
      registries: ['registry.example.com'],
      timings: { build: 10 },
    },
  };
}

describe('write-manifest step', () => {
  it('writes manifest.json (schema version 2) listing every artifact and the digests that ran, and records it for reuse', async () => {
    const ctx = await context();
    await writeManifest.run(ctx, { defer: () => undefined });
    expect(ctx.state.manifestKey).toBe('builds/bman00001/manifest.json');
    const manifest = JSON.parse(await ctx.store.getObjectText('builds/bman00001/manifest.json'));
    expect(manifest.schemaVersion).toBe(MANIFEST_SCHEMA_VERSION);
    expect(MANIFEST_SCHEMA_VERSION).toBe(2);
    expect(manifest.artifacts).toEqual(ctx.state.artifacts);
    expect(manifest.source).toEqual({ image: ctx.request.source, digest: DIGEST_A });
    expect(manifest.builder).toEqual({ image: ctx.request.builder.image, digest: DIGEST_B });
    expect(manifest.iso.key).toBe('builds/bman00001/install.iso');
    expect(manifest.worker).toEqual({
      host: 'host-a',
      attempt: 1,
      podmanVersion: '5.0.0',
      registries: ['registry.example.com'],
    });
    expect(manifest.finishedAt).toBe(ctx.state.finishedAt);
    const cached = await findCachedBuild(ctx.store, identicalOf(ctx).key);
    expect(cached.hit && cached.build.artifacts).toEqual([ctx.state.artifacts[0], ctx.state.artifacts[1]]);
  });

  it('lists the checking files with the key id, and a manifest that does still answers a cache look-up', async () => {
    const ctx = await context();
    const sums = { key: 'builds/bman00001/SHA256SUMS', size: 3, sha256: 'e' };
    ctx.state.artifacts.push(
      { role: 'checksums', type: 'checksums', filename: 'SHA256SUMS', ...sums },
      {
        role: 'checksums-signature',
        type: 'checksums-signature',
        filename: 'SHA256SUMS.sig',
        ...sums,
        keyId: 'k1',
      },
    );
    await writeManifest.run(ctx, { defer: () => undefined });
    const manifest = JSON.parse(await ctx.store.getObjectText('builds/bman00001/manifest.json'));
    expect(manifest.artifacts[3]).toMatchObject({ role: 'checksums-signature', keyId: 'k1' });
    const cached = await findCachedBuild(ctx.store, identicalOf(ctx).key, 'iso');
    expect(cached.hit && cached.build.artifacts?.map((a) => a.role)).toEqual([
      'image',
      'log',
      'checksums',
      'checksums-signature',
    ]);
  });

  it('writes the manifest of a reused build pointing at the earlier one, and records nothing for reuse', async () => {
    const ctx = await context();
    ctx.state.reused = {
      buildId: 'bold00001',
      manifestKey: 'builds/bold00001/manifest.json',
      iso: { key: 'k', size: 1, sha256: 's', filename: 'f' },
      logKey: 'l',
      finishedAt: 't',
    };
    await writeManifest.run(ctx, { defer: () => undefined });
    const manifest = JSON.parse(await ctx.store.getObjectText('builds/bman00001/manifest.json'));
    expect(manifest.reusedFrom).toEqual({
      buildId: 'bold00001',
      manifestKey: 'builds/bold00001/manifest.json',
    });
    expect((await findCachedBuild(ctx.store, identicalOf(ctx).key)).hit).toBe(false);
  });
});
