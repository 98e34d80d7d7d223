import { describe, expect, it } from 'vitest';
import { BuildRequest } from '../../src/domain/build-request.ts';
import { BCRYPT_HASH, ED25519_KEY, SHA512_HASH, YESCRYPT_HASH } from '../unit/domain/fixtures.ts';
import { bibRefusals, blueprintProblems } from './support/bib-oracle.ts';

/**
 * The oracle must see what the builder really does, or the properties that trust it pass for nothing: each case is
 * something a real build refuses or silently gets wrong.
 */

const ALL = ['iso-customizations', 'bootc-installer', 'yescrypt'];
const BUILDER = 'quay.io/centos-bootc/bootc-image-builder:latest';
const SOURCE = 'quay.io/org/os:1';

function argv(...bib: string[]): string[] {
  const mounts = ['-v', '/s:/var/lib/containers/storage', '-v', '/o:/output'];
  return ['run', '--rm', ...mounts, BUILDER, ...bib, SOURCE];
}

const request = (type: 'iso' | 'bootc-installer' = 'iso') =>
  BuildRequest.parse({
    source: SOURCE,
    builder: { name: 'b', image: BUILDER },
    type,
    arch: 'x86_64',
    requester: { kind: 'cli', user: 'a' },
    requestedAt: '2026-01-31T12:00:00Z',
  });

describe('the bootc-image-builder oracle', () => {
  it('finds nothing wrong with hashes the builder keeps, root with a key, and a good label on a builder that takes it', () => {
    const blueprint = {
      customizations: {
        user: [
          { name: 'a', password: SHA512_HASH },
          { name: 'b', password: BCRYPT_HASH },
          { name: 'root', key: ED25519_KEY },
        ],
        kernel: { append: 'quiet' },
        iso: { volume_id: 'My_Label-1' },
      },
    };
    expect(blueprintProblems(blueprint, ALL)).toEqual([]);
  });

  it('sees a hash the builder would re-hash as plain text, unless the builder keeps yescrypt', () => {
    const blueprint = { customizations: { user: [{ name: 'a', password: YESCRYPT_HASH }] } };
    expect(blueprintProblems(blueprint, [])).toEqual([
      'user a: the password is re-hashed as plain text, nobody can log in',
    ]);
    expect(blueprintProblems(blueprint, ['yescrypt'])).toEqual([]);
    const twoY = { customizations: { user: [{ name: 'a', password: BCRYPT_HASH.replace('$2b$', '$2y$') }] } };
    expect(blueprintProblems(twoY, ALL)).toHaveLength(1);
  });

  it('sees a root password, which rootpw --lock overrides', () => {
    const blueprint = { customizations: { user: [{ name: 'root', password: SHA512_HASH }] } };
    expect(blueprintProblems(blueprint, ALL)).toEqual([
      'a root password: the installer locks root (rootpw --lock)',
    ]);
  });

  it('sees [customizations.iso] on an older builder, a bad or missing volume_id, and ignored keys', () => {
    expect(blueprintProblems({ customizations: { iso: { volume_id: 'A' } } }, [])).toEqual([
      'unknown keys found: customizations.iso (this builder predates the section)',
    ]);
    expect(blueprintProblems({ customizations: { iso: { volume_id: 'A.B' } } }, ALL)).toEqual([
      'invalid volume id "A.B"',
    ]);
    expect(blueprintProblems({ customizations: { iso: { publisher: 'P' } } }, ALL)).toEqual([
      'invalid volume id ""',
      'customizations.iso.publisher is ignored by the ISO code',
    ]);
  });

  it('sees kernel arguments and a root filesystem dropped next to a kickstart', () => {
    const blueprint = {
      customizations: { kernel: { append: 'quiet' }, installer: { kickstart: { contents: 'text\n' } } },
    };
    const req = { ...request(), customizations: { ...request().customizations, kickstart: 'text\n' } };
    expect(bibRefusals(req, argv('--type', 'iso', '--rootfs', 'xfs'), blueprint, ALL)).toEqual([
      'kernel.append next to a kickstart is dropped silently',
      '--rootfs next to a kickstart is dropped silently',
    ]);
  });

  it("sees a ' in kernel arguments breaking bootloader --append='…'", () => {
    const req = { ...request(), customizations: { ...request().customizations, kernelAppend: "a='b'" } };
    const problems = bibRefusals(req, argv('--type', 'iso'), {}, ALL);
    expect(problems.join('\n')).toContain('kickstart line reads back differently');
  });

  it('sees bootc-installer on a builder without it, and a label it would ignore', () => {
    const bib = argv('--type', 'bootc-installer', '--installer-payload-ref', SOURCE);
    expect(bibRefusals(request('bootc-installer'), bib, {}, [])).toEqual([
      'bootc-installer: unsupported image type on this builder',
    ]);
    const withLabel = { customizations: { iso: { volume_id: 'A' } } };
    expect(bibRefusals(request('bootc-installer'), bib, withLabel, ALL)).toEqual([
      'bootc-installer ignores customizations.iso',
    ]);
  });
});
