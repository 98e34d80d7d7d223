import { describe, expect, it } from 'vitest';
import type { BuildRequestInput } from '../../../src/domain/build-request.ts';
import {
  collectBuildRequestErrors,
  validateBuildRequest,
} from '../../../src/domain/validate-build-request.ts';
import { appErrorFrom, buildInput, policy, SHA256_DIGEST } from './fixtures.ts';

const LEGACY = { name: 'legacy', image: 'quay.io/centos-bootc/bootc-image-builder:9.7' };
const PAYLOAD = 'quay.io/centos-bootc/centos-bootc:stream9';

function errorsOf(overrides: Partial<BuildRequestInput>) {
  return collectBuildRequestErrors(buildInput(overrides), policy);
}

describe('builder features', () => {
  it('accepts [customizations.iso] on a builder that declares iso-customizations', () => {
    const req = validateBuildRequest(buildInput({ customizations: { iso: { volumeId: 'MYOS' } } }), policy);
    expect(req.customizations.iso).toEqual({ volumeId: 'MYOS' });
  });

  it('refuses [customizations.iso] on a builder without the feature, naming the builder and the config key', () => {
    const error = appErrorFrom(() =>
      validateBuildRequest(
        buildInput({ builder: LEGACY, customizations: { iso: { volumeId: 'MYOS' } } }),
        policy,
      ),
    );
    expect(error.field).toBe('customizations.iso.volumeId');
    expect(error.message).toContain('builder "legacy" does not declare the iso-customizations feature');
    expect(error.message).toContain('"unknown keys found"');
    expect(error.message).toContain('builders.legacy.features');
    expect(error.message).toContain('leave the label out');
  });

  it('refuses a volume label with bootc-installer, whose ISOs ignore the section', () => {
    const errors = errorsOf({
      type: 'bootc-installer',
      installerPayloadRef: PAYLOAD,
      customizations: { iso: { volumeId: 'MYOS' } },
    });
    expect(errors).toEqual([
      {
        field: 'customizations.iso.volumeId',
        message: expect.stringContaining('bootc-installer ISOs ignore [customizations.iso]'),
      },
    ]);
  });

  it('accepts bootc-installer only on a builder that declares it', () => {
    const ok = validateBuildRequest(
      buildInput({ type: 'bootc-installer', installerPayloadRef: PAYLOAD }),
      policy,
    );
    expect(ok.type).toBe('bootc-installer');
    const error = appErrorFrom(() =>
      validateBuildRequest(
        buildInput({ builder: LEGACY, type: 'bootc-installer', installerPayloadRef: PAYLOAD }),
        policy,
      ),
    );
    expect(error.field).toBe('type');
    expect(error.message).toContain('does not declare the bootc-installer feature');
    expect(error.message).toContain('"unsupported image type"');
  });

  it('treats a builder with no features listed as the shipped baseline (digest-pinned builder)', () => {
    const pinned = { name: 'pinned', image: `quay.io/centos-bootc/bootc-image-builder@${SHA256_DIGEST}` };
    const fields = errorsOf({ builder: pinned, customizations: { iso: { volumeId: 'A' } } }).map(
      (e) => e.field,
    );
    expect(fields).toEqual(['customizations.iso.volumeId']);
  });

  it('reports only the unknown builder, not its features, when the builder is not configured', () => {
    const errors = errorsOf({
      builder: { name: 'nope', image: 'quay.io/x/y:1' },
      customizations: { iso: { volumeId: 'A' } },
    });
    expect(errors.map((e) => e.field)).toEqual(['builder']);
  });
});

describe('what the builder drops next to a kickstart', () => {
  it('refuses kernel arguments with a kickstart, with the error on both fields', () => {
    const errors = errorsOf({ customizations: { kickstart: 'text\nreboot\n', kernelAppend: 'quiet' } });
    expect(errors.map((e) => e.field)).toEqual(['customizations.kernelAppend', 'customizations.kickstart']);
    expect(errors[0]?.message).toBe(
      'kernel arguments: bootc-image-builder drops the kernel arguments when a kickstart is given (they only go into the kickstart it generates itself); put a `bootloader --append="…"` line in your kickstart, or remove the kickstart',
    );
    expect(errors[1]?.message).toContain('clear the kernel arguments, or remove the kickstart');
  });

  it('refuses a root filesystem with a kickstart, with the error on both fields', () => {
    const errors = errorsOf({ rootfs: 'xfs', customizations: { kickstart: 'text\nreboot\n' } });
    expect(errors.map((e) => e.field)).toEqual(['rootfs', 'customizations.kickstart']);
    expect(errors[0]?.message).toContain('drops the root filesystem when a kickstart is given');
    expect(errors[0]?.message).toContain('`--fstype=xfs` on your part or autopart line');
  });

  it('accepts kernel arguments and a root filesystem without a kickstart', () => {
    const req = validateBuildRequest(
      buildInput({ rootfs: 'btrfs', customizations: { kernelAppend: 'console=ttyS0' } }),
      policy,
    );
    expect(req.rootfs).toBe('btrfs');
  });
});
