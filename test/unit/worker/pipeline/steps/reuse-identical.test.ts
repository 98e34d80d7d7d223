import { describe, expect, it } from 'vitest';
import { imageKey } from '../../../../../src/storage/artifact-store.ts';
import { recordCachedBuild } from '../../../../../src/storage/build-cache.ts';
import {
  type IdenticalContext,
  identicalOf,
  reuseIdentical,
} from '../../../../../workers/pipeline/steps/reuse-identical.ts';
import { DIGEST_A, DIGEST_B, localStore, memoryClaims, request, silent } from '../support.ts';

async function context(rebuild = false, bootTest?: boolean): Promise<IdenticalContext> {
  return {
    buildId: 'bnew00001',
    request: request({ rebuild, ...(bootTest === undefined ? {} : { bootTest }) }),
    settings: { presets: {} },
    store: await localStore(),
    claims: memoryClaims(),
    logger: silent,
    progress: () => undefined,
    signal: new AbortController().signal,
    state: { pulled: { sourceDigest: DIGEST_A, builderDigest: DIGEST_B }, artifacts: [], timings: {} },
  };
}

/** What an earlier identical build left: its image, its manifest (version 2) and its cache entry. */
async function earlierBuild(ctx: IdenticalContext, bootTest?: { passed: boolean }): Promise<void> {
  const key = imageKey('bold00001', 'iso');
  const image = await ctx.store.putObject(key, 'ISO-BYTES', 'application/x-iso9660-image');
  const artifacts = [
    {
      role: 'image',
      type: 'iso',
      key,
      filename: 'bold00001-install.iso',
      size: image.size,
      sha256: image.sha256,
    },
  ];
  const manifest = {
    schemaVersion: 2,
    buildId: 'bold00001',
    identicalBuildKey: identicalOf(ctx).key,
    artifacts,
    iso: { key, size: image.size, sha256: image.sha256, filename: 'bold00001-install.iso' },
    log: { key: 'builds/bold00001/build.log' },
    ...(bootTest ? { bootTest } : {}),
    finishedAt: '2026-12-01T10:00:00.000Z',
  };
  await ctx.store.putObject('builds/bold00001/manifest.json', JSON.stringify(manifest), 'application/json');
  await recordCachedBuild(ctx.store, {
    key: identicalOf(ctx).key,
    buildId: 'bold00001',
    manifestKey: 'builds/bold00001/manifest.json',
  });
}

describe('reuse-identical step', () => {
  it('is left out of the plan of a build that asked to rebuild anyway', async () => {
    expect(reuseIdentical.planned?.(await context(true))).toBe(false);
    expect(reuseIdentical.planned?.(await context(false))).toBe(true);
  });

  it('answers a request for a boot-tested ISO only from a build whose boot test passed', async () => {
    for (const [earlier, reused] of [
      [undefined, false],
      [{ passed: false }, false],
      [{ passed: true }, true],
    ] as const) {
      const ctx = await context(false, true);
      await earlierBuild(ctx, earlier);
      await reuseIdentical.run(ctx, { defer: () => undefined });
      expect(ctx.state.reused?.buildId === 'bold00001').toBe(reused);
    }
    // Without a boot test asked for, an untested build answers as before.
    const ctx = await context(false, false);
    await earlierBuild(ctx);
    await reuseIdentical.run(ctx, { defer: () => undefined });
    expect(ctx.state.reused?.buildId).toBe('bold00001');
  });

  it('finds nothing for a first build and leaves it to build', async () => {
    const ctx = await context();
    await reuseIdentical.run(ctx, { defer: () => undefined });
    expect(ctx.state.reused).toBeUndefined();
    expect(ctx.state.artifacts).toEqual([]);
    expect(ctx.state.timings.cacheLookup).toBeGreaterThanOrEqual(0);
  });

  it("answers from an earlier identical build: its image, and a log of this build's own saying so", async () => {
    const ctx = await context();
    await earlierBuild(ctx);
    await reuseIdentical.run(ctx, { defer: () => undefined });
    expect(ctx.state.reused?.buildId).toBe('bold00001');
    expect(ctx.state.artifacts.map((a) => [a.role, a.type, a.key])).toEqual([
      ['image', 'iso', 'builds/bold00001/install.iso'],
      ['log', 'log', 'builds/bnew00001/build.log'],
    ]);
    expect(await ctx.store.getObjectText('builds/bnew00001/build.log')).toContain(
      'the ISO of identical build bold00001',
    );
    // It writes no manifest: that is the write-manifest step's alone.
    expect(await ctx.store.headObject('builds/bnew00001/manifest.json')).toBeUndefined();
  });
});
