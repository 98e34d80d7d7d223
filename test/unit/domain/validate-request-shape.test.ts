import { describe, expect, it } from 'vitest';
import type { BuildRequestInput } from '../../../src/domain/build-request.ts';
import { validateBuildRequest } from '../../../src/domain/validate-build-request.ts';
import { appErrorFrom, buildInput, policy } from './fixtures.ts';

function refusal(input: unknown) {
  return appErrorFrom(() => validateBuildRequest(input, policy));
}

describe('validateBuildRequest: shape problems become friendly messages', () => {
  it('refuses a non-object without showing zod internals', () => {
    const error = refusal(42);
    expect(error.field).toBe('request');
    expect(error.message).toBe('build request must be an object, not a number');
  });

  it('names a missing field as required', () => {
    const { source: _omit, ...rest } = buildInput();
    const error = refusal(rest);
    expect(error.field).toBe('source');
    expect(error.message).toBe('source image is required');
  });

  it('names a field of the wrong type and what it should be', () => {
    expect(refusal(buildInput({ source: 5 as unknown as string })).message).toBe(
      'source image must be text, not a number',
    );
    expect(refusal({ ...buildInput(), customizations: { fips: 'yes' } }).message).toBe(
      'FIPS mode must be true or false, not text',
    );
  });

  it('refuses unknown fields by name, with the field path', () => {
    const error = refusal({ ...buildInput(), customizations: { users: [], sshd: { x: 1 } } });
    expect(error.field).toBe('customizations.sshd');
    expect(error.message).toBe('customizations: unknown field "sshd"; remove it');
  });

  it('refuses an unknown ISO type and lists the three choices', () => {
    const error = refusal(buildInput({ type: 'isoo' as 'iso' }));
    expect(error.field).toBe('type');
    expect(error.message).toBe(
      'unknown image type "isoo"; choose iso, anaconda-iso, bootc-installer, qcow2, raw, ami, vmdk, vhd or gce',
    );
  });

  it('takes the disk types and refuses the builder types not built here', () => {
    for (const type of ['qcow2', 'raw', 'ami', 'vmdk', 'vhd', 'gce'] as const) {
      expect(validateBuildRequest(buildInput({ type, types: [type] }), policy).type).toBe(type);
    }
    for (const type of ['ova', 'pxe-tar-xz']) {
      const error = refusal(buildInput({ type: type as 'iso' }));
      expect(error.field).toBe('type');
      expect(error.message).toContain('is not built by this service');
    }
    expect(refusal(buildInput({ type: 'bootc-generic-iso' as 'iso' })).message).toContain(
      'choose bootc-installer',
    );
  });

  it('refuses an unknown architecture or root filesystem with the allowed values', () => {
    const arch = refusal(buildInput({ arch: 'i686' as 'x86_64' }));
    expect(arch.field).toBe('arch');
    expect(arch.message).toBe(
      'architecture: "i686" is not allowed; choose x86_64, aarch64, s390x, ppc64le, riscv64',
    );
    expect(refusal(buildInput({ rootfs: 'zfs' as 'xfs' })).message).toContain(
      'root filesystem: "zfs" is not allowed',
    );
  });

  it('refuses an unknown requester kind and a malformed request time', () => {
    const kind = refusal(
      buildInput({ requester: { kind: 'email', user: 'x' } as unknown as BuildRequestInput['requester'] }),
    );
    expect(kind.field).toBe('requester.kind');
    expect(kind.message).toBe('requester kind must be "slack" or "cli"');
    const time = refusal(buildInput({ requestedAt: 'yesterday' }));
    expect(time.field).toBe('requestedAt');
    expect(time.message).toContain('ISO 8601');
  });

  it('reports a 100 KB kickstart and a 100 KB source by length, not by content', () => {
    const kickstart = refusal(buildInput({ customizations: { kickstart: 'x'.repeat(100_000) } }));
    expect(kickstart.field).toBe('customizations.kickstart');
    expect(kickstart.message).toBe('kickstart: 100000 characters is over the 65536 limit; shorten it');
    const source = refusal(buildInput({ source: `quay.io/${'a'.repeat(100_000)}:t` }));
    expect(source.message).toBe('source image: 100010 characters is over the 1024 limit; shorten it');
  });

  it('refuses more than 50 users and more than 20 keys for a user', () => {
    const users = Array.from({ length: 51 }, (_, i) => ({ name: `u${i}` }));
    expect(refusal(buildInput({ customizations: { users } })).message).toBe(
      'users: 51 items is over the 50 limit; remove some',
    );
    const keys = refusal(
      buildInput({ customizations: { users: [{ name: 'a', sshKeys: Array(21).fill('k') }] } }),
    );
    expect(keys.field).toBe('customizations.users[0].sshKeys');
    expect(keys.message).toBe('user 1 SSH keys: 21 items is over the 20 limit; remove some');
  });
});
