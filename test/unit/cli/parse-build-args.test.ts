import { describe, expect, it } from 'vitest';
import { parseBuildArgs } from '../../../src/cli/parse-build-args.ts';
import { AppError } from '../../../src/domain/errors.ts';

function usageErrorOf(argv: string[]): AppError {
  try {
    parseBuildArgs(argv);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('bootc-iso build arguments', () => {
  it('defaults to an iso build with no customizations', () => {
    const opts = parseBuildArgs(['--image', 'quay.io/a/b:1']);
    expect(opts.image).toBe('quay.io/a/b:1');
    expect(opts.request.type).toBe('iso');
    expect(opts.request.customizations).toEqual({ users: [], fips: false });
    expect(opts.local).toBe(false);
    expect(opts.request.rebuild).toBeUndefined();
  });

  it('asks for a fresh build with --rebuild (an identical build would answer otherwise)', () => {
    expect(parseBuildArgs(['--preset', 'demo', '--rebuild']).request.rebuild).toBe(true);
  });

  it('attaches SSH keys, groups and password hashes to the --user before them', () => {
    const opts = parseBuildArgs([
      '--preset',
      'rhel9',
      '--user',
      'alice',
      '--ssh-key',
      'ssh-ed25519 AAAA a',
      '--groups',
      'wheel, adm',
      '--user',
      'bob',
      '--password-hash',
      '$6$salt$hash',
      '--ssh-key',
      'ssh-ed25519 BBBB b',
    ]);
    expect(opts.request.customizations?.users).toEqual([
      { name: 'alice', sshKeys: ['ssh-ed25519 AAAA a'], groups: ['wheel', 'adm'] },
      { name: 'bob', sshKeys: ['ssh-ed25519 BBBB b'], groups: [], passwordHash: '$6$salt$hash' },
    ]);
  });

  it('joins repeated kernel arguments and carries type, arch, rootfs, label and FIPS', () => {
    const opts = parseBuildArgs([
      '--image',
      'quay.io/a/b:1',
      '--kernel-arg',
      'console=ttyS0',
      '--kernel-arg',
      'quiet',
      '--type',
      'bootc-installer',
      '--installer-payload',
      'quay.io/a/payload:1',
      '--arch',
      'aarch64',
      '--rootfs',
      'xfs',
      '--volume-id',
      'MYOS',
      '--fips',
    ]);
    expect(opts.request).toMatchObject({
      type: 'bootc-installer',
      installerPayloadRef: 'quay.io/a/payload:1',
      arch: 'aarch64',
      rootfs: 'xfs',
      customizations: { kernelAppend: 'console=ttyS0 quiet', iso: { volumeId: 'MYOS' }, fips: true },
    });
  });

  it('refuses neither or both of --image and --preset', () => {
    expect(usageErrorOf([]).message).toContain('exactly one of --image or --preset');
    expect(usageErrorOf(['--image', 'a.io/b:1', '--preset', 'x']).message).toContain('exactly one');
  });

  it('refuses an SSH key given before any --user', () => {
    expect(usageErrorOf(['--image', 'a.io/b:1', '--ssh-key', 'k']).message).toContain(
      '--ssh-key must follow the --user',
    );
  });

  it('refuses unknown options and stray positional arguments with the usage text', () => {
    const unknown = usageErrorOf(['--image', 'a.io/b:1', '--privileged']);
    expect(unknown.message).toContain("'--privileged'");
    expect(unknown.message).toContain('usage: bootc-iso build');
    expect(usageErrorOf(['--image', 'a.io/b:1', 'extra']).message).toContain('extra');
  });

  it('keeps option-like values as data for the validator to judge, instead of treating them as flags', () => {
    const opts = parseBuildArgs(['--image=-v/:/host']);
    expect(opts.image).toBe('-v/:/host');
  });
});

describe('bootc-iso build --type and --containerfile', () => {
  it('takes --type more than once, the first as type and all of them as types', () => {
    const one = parseBuildArgs(['--image', 'quay.io/a/b:1', '--type', 'qcow2']);
    expect(one.request.type).toBe('qcow2');
    expect(one.request.types).toBeUndefined();
    expect(one.typesGiven).toBe(true);
    const two = parseBuildArgs(['--image', 'quay.io/a/b:1', '--type', 'iso', '--type', 'raw']);
    expect(two.request.type).toBe('iso');
    expect(two.request.types).toEqual(['iso', 'raw']);
    const none = parseBuildArgs(['--image', 'quay.io/a/b:1', '--containerfile', './Containerfile']);
    expect(none.request.type).toBe('iso');
    expect(none.typesGiven).toBe(false);
    expect(none.containerfileFile).toBe('./Containerfile');
  });
});
