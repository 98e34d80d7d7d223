import { describe, expect, it } from 'vitest';
import { BuildRequest } from '../../../src/domain/build-request.ts';
import { identicalBuildInputs, identicalBuildKey } from '../../../src/domain/identical-build.ts';
import { ED25519_KEY, SHA256_DIGEST } from './fixtures.ts';

const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;

function request(overrides: Record<string, unknown> = {}) {
  return BuildRequest.parse({
    source: 'quay.io/org/os:1.0',
    builder: { name: 'bib', image: 'quay.io/centos-bootc/bootc-image-builder:latest' },
    type: 'iso',
    arch: 'x86_64',
    requester: { kind: 'cli', user: 'alice' },
    requestedAt: '2026-11-26T10:00:00Z',
    customizations: { users: [{ name: 'alice', sshKeys: [ED25519_KEY], groups: ['wheel'] }] },
    ...overrides,
  });
}

const digests = { source: SHA256_DIGEST, builder: OTHER_DIGEST };
const keyOf = (overrides: Record<string, unknown> = {}, d: typeof digests & { payload?: string } = digests) =>
  identicalBuildKey(identicalBuildInputs(request(overrides), d));

describe('identical-build key', () => {
  it('is a hex sha256 that ignores who asked, when, and the rebuild flag', () => {
    const key = keyOf();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(
      keyOf({
        requester: { kind: 'slack', userId: 'U0ALICEXX1', channelId: 'C0BUILDS1' },
        requestedAt: '2027-01-01T00:00:00Z',
        rebuild: true,
        preset: 'rhel-9',
      }),
    ).toBe(key);
  });

  it('changes with each image digest, the source reference, type, arch, rootfs and any customization', () => {
    const base = keyOf();
    const variants = [
      keyOf({}, { source: OTHER_DIGEST, builder: OTHER_DIGEST }),
      keyOf({}, { source: SHA256_DIGEST, builder: SHA256_DIGEST }),
      keyOf({ source: 'quay.io/org/os:latest' }),
      keyOf({ type: 'anaconda-iso' }),
      keyOf({ arch: 'aarch64' }),
      keyOf({ rootfs: 'xfs' }),
      keyOf({ customizations: { users: [], fips: true } }),
      keyOf({ customizations: { users: [], kernelAppend: 'console=ttyS0' } }),
      keyOf({ customizations: { users: [{ name: 'bob' }] } }),
      keyOf(
        { type: 'bootc-installer', installerPayloadRef: 'quay.io/org/payload:1' },
        { ...digests, payload: SHA256_DIGEST },
      ),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('is the same for customizations that produce the same config.toml (key order, empty sections)', () => {
    const a = keyOf({ customizations: { users: [], fips: false } });
    const b = keyOf({
      customizations: { fips: false, users: [], anacondaModules: { enable: [], disable: [] } },
    });
    expect(b).toBe(a);
  });

  it('differs for installer payload digests', () => {
    const over = { type: 'bootc-installer', installerPayloadRef: 'quay.io/org/payload:1' };
    expect(keyOf(over, { ...digests, payload: SHA256_DIGEST })).not.toBe(
      keyOf(over, { ...digests, payload: OTHER_DIGEST }),
    );
  });
});
