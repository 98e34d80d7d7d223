import { describe, expect, it } from 'vitest';
import { type LinkContext, link } from '../../../../../workers/pipeline/steps/link.ts';
import { localStore } from '../support.ts';

async function context(): Promise<LinkContext> {
  return {
    store: await localStore(),
    settings: { linkTtlSeconds: 3600 },
    state: {
      artifacts: [
        {
          role: 'log',
          type: 'log',
          key: 'builds/b1/build.log',
          filename: 'b1-build.log',
          size: 1,
          sha256: 's',
        },
        {
          role: 'image',
          type: 'iso',
          key: 'builds/b1/install.iso',
          filename: 'b1-install.iso',
          size: 3,
          sha256: 's',
        },
      ],
    },
  };
}

describe('link step', () => {
  it('signs a link to the first image, named for download, valid for the configured time', async () => {
    const ctx = await context();
    const before = Date.now();
    await link.run(ctx, { defer: () => undefined });
    const url = new URL(ctx.state.link?.url ?? '');
    expect(url.pathname).toContain('builds/b1/install.iso');
    expect(url.searchParams.get('filename')).toBe('b1-install.iso');
    const expires = Date.parse(ctx.state.link?.expiresAt ?? '');
    expect(expires - before).toBeGreaterThanOrEqual(3599_000);
    expect(expires - before).toBeLessThanOrEqual(3601_000);
  });

  it('signs links to the checking files too, and the log gets none', async () => {
    const ctx = await context();
    ctx.state.artifacts.push({
      role: 'checksums',
      type: 'checksums',
      key: 'builds/b1/SHA256SUMS',
      filename: 'SHA256SUMS',
      size: 1,
      sha256: 's',
    });
    await link.run(ctx, { defer: () => undefined });
    expect(Object.keys(ctx.state.links ?? {})).toEqual(['builds/b1/install.iso', 'builds/b1/SHA256SUMS']);
    expect(new URL(ctx.state.links?.['builds/b1/SHA256SUMS'] ?? '').searchParams.get('filename')).toBe(
      'SHA256SUMS',
    );
  });

  it('fails when no image was made (a bug in the step list, never a user error)', async () => {
    const ctx = await context();
    ctx.state.artifacts = [];
    await expect(link.run(ctx, { defer: () => undefined })).rejects.toThrow(/no image artifact/);
  });
});
