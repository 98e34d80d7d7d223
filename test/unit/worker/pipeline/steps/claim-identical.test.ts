import { describe, expect, it } from 'vitest';
import {
  type ClaimContext,
  claimIdentical,
  WaitForIdenticalBuild,
} from '../../../../../workers/pipeline/steps/claim-identical.ts';
import { identicalOf } from '../../../../../workers/pipeline/steps/reuse-identical.ts';
import { DIGEST_A, DIGEST_B, localStore, memoryClaims, request, scope, silent } from '../support.ts';

async function context(
  buildId: string,
  claims = memoryClaims(),
): Promise<ClaimContext & { claims: typeof claims }> {
  return {
    buildId,
    request: request(),
    store: await localStore(),
    claims,
    logger: silent,
    progress: () => undefined,
    signal: new AbortController().signal,
    settings: { worker: { lockSeconds: 30 } },
    state: { pulled: { sourceDigest: DIGEST_A, builderDigest: DIGEST_B }, artifacts: [], timings: {} },
  };
}

describe('claim-identical step', () => {
  it('claims the key and releases it at clean-up', async () => {
    const ctx = await context('bfirst001');
    const s = scope();
    await claimIdentical.run(ctx, s);
    const { key } = identicalOf(ctx);
    expect(ctx.claims.held.get(key)).toBe('bfirst001');
    await s.runCleanups();
    expect(ctx.claims.held.has(key)).toBe(false);
  });

  it('makes a second identical build wait for the first, remembering what it waits for', async () => {
    const first = await context('bfirst001');
    await claimIdentical.run(first, scope());
    const second = await context('bsecond01', first.claims);
    const error = await claimIdentical.run(second, scope()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitForIdenticalBuild);
    expect((error as WaitForIdenticalBuild).holder).toBe('bfirst001');
    expect(await first.claims.stillWaiting('bsecond01')).toBe('bfirst001');
  });

  it('is planned only with claims and without "rebuild", and skipped once an identical build answered', async () => {
    const ctx = await context('bfirst001');
    expect(claimIdentical.planned?.(ctx)).toBe(true);
    expect(claimIdentical.planned?.({ ...ctx, request: request({ rebuild: true }) })).toBe(false);
    const { claims: _unused, ...withoutClaims } = ctx;
    expect(claimIdentical.planned?.(withoutClaims)).toBe(false);
    ctx.state.reused = {
      buildId: 'bold00001',
      manifestKey: 'builds/bold00001/manifest.json',
      iso: { key: 'k', size: 1, sha256: 'x', filename: 'f' },
      logKey: 'l',
      finishedAt: '2026-12-01T10:00:00.000Z',
    };
    expect(claimIdentical.skip?.(ctx, undefined)).toBe('answered by an identical build');
  });
});
