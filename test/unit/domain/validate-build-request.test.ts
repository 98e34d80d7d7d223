import { describe, expect, it } from 'vitest';
import {
  collectBuildRequestErrors,
  validateBuildRequest,
} from '../../../src/domain/validate-build-request.ts';
import { appErrorFrom, buildInput, HOSTILE_REFS, policy, SHA256_DIGEST } from './fixtures.ts';

function refusal(input: unknown) {
  return appErrorFrom(() => validateBuildRequest(input, policy));
}

function fieldsOf(input: unknown): string[] {
  return collectBuildRequestErrors(input, policy).map((e) => e.field);
}

describe('validateBuildRequest: accepted requests', () => {
  it('accepts a minimal request and fills in the defaults', () => {
    const req = validateBuildRequest(buildInput(), policy);
    expect(req.customizations).toEqual({ users: [], fips: false });
    expect(req.source).toBe('quay.io/centos-bootc/centos-bootc:stream9');
  });

  it('normalises registry hosts to lowercase and matches allowed registries case-insensitively', () => {
    const req = validateBuildRequest(
      buildInput({
        source: 'QUAY.io/org/image:tag',
        builder: { name: 'centos', image: 'Quay.IO/centos-bootc/bootc-image-builder:latest' },
      }),
      policy,
    );
    expect(req.source).toBe('quay.io/org/image:tag');
    expect(req.builder.image).toBe('quay.io/centos-bootc/bootc-image-builder:latest');
    expect(validateBuildRequest(buildInput({ source: 'registry.internal.example/a:b' }), policy).source).toBe(
      'registry.internal.example/a:b',
    );
  });

  it('accepts a registry with the allowed port and a builder pinned by digest only', () => {
    const req = validateBuildRequest(
      buildInput({
        source: 'registry.example.com:5000/org/image:1.0',
        builder: { name: 'pinned', image: `quay.io/centos-bootc/bootc-image-builder@${SHA256_DIGEST}` },
      }),
      policy,
    );
    expect(req.source).toContain('registry.example.com:5000/');
  });

  it('accepts bootc-installer with an installer payload image', () => {
    const req = validateBuildRequest(
      buildInput({ type: 'bootc-installer', installerPayloadRef: 'quay.io/org/payload:v1' }),
      policy,
    );
    expect(req.installerPayloadRef).toBe('quay.io/org/payload:v1');
  });
});

describe('validateBuildRequest: images and registries', () => {
  it('refuses an untagged source with the BIB reason', () => {
    const error = refusal(buildInput({ source: 'quay.io/org/image' }));
    expect(error.field).toBe('source');
    expect(error.message).toContain('bootc-image-builder needs a tagged image: add :tag');
  });

  it('refuses a source from a registry that is not allowed, listing the allowed ones', () => {
    const error = refusal(buildInput({ source: 'ghcr.io/org/image:tag' }));
    expect(error.code).toBe('REGISTRY_NOT_ALLOWED');
    expect(error.field).toBe('source');
    expect(error.message).toContain(
      'registry ghcr.io is not allowed; allowed: quay.io, registry.example.com:5000, registry.internal.example',
    );
  });

  it('treats a different port as a different registry', () => {
    expect(refusal(buildInput({ source: 'registry.example.com/org/image:tag' })).code).toBe(
      'REGISTRY_NOT_ALLOWED',
    );
    expect(refusal(buildInput({ source: 'quay.io:443/org/image:tag' })).code).toBe('REGISTRY_NOT_ALLOWED');
  });

  it('refuses option-like and shell-laden sources before anything else sees them', () => {
    for (const source of Object.values(HOSTILE_REFS)) {
      const error = refusal(buildInput({ source }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.field).toBe('source');
    }
  });

  it('refuses an unknown builder name and lists the configured builders', () => {
    const error = refusal(buildInput({ builder: { name: 'mine', image: 'quay.io/me/bib:latest' } }));
    expect(error.field).toBe('builder');
    expect(error.message).toBe('builder: unknown builder "mine"; choose centos, pinned, legacy, newer');
  });

  it('refuses a builder image that differs from the configured one', () => {
    const error = refusal(
      buildInput({ builder: { name: 'centos', image: 'quay.io/evil/bootc-image-builder:latest' } }),
    );
    expect(error.field).toBe('builder.image');
    expect(error.message).toContain('is not the image configured for builder "centos"');
  });

  it('refuses a builder image smuggled in from a registry that is not allowed', () => {
    const error = refusal(buildInput({ builder: { name: 'centos', image: 'evil.example/bib:latest' } }));
    expect(error.code).toBe('REGISTRY_NOT_ALLOWED');
    expect(error.field).toBe('builder.image');
  });

  it('refuses a builder image with neither tag nor digest', () => {
    const error = refusal(
      buildInput({ builder: { name: 'centos', image: 'quay.io/centos-bootc/bootc-image-builder' } }),
    );
    expect(error.message).toContain('has neither tag nor digest');
  });

  it('requires an installer payload for bootc-installer and refuses it for the other types', () => {
    const missing = refusal(buildInput({ type: 'bootc-installer' }));
    expect(missing.field).toBe('installerPayloadRef');
    expect(missing.message).toContain('required for bootc-installer');
    const extra = refusal(buildInput({ type: 'iso', installerPayloadRef: 'quay.io/org/payload:v1' }));
    expect(extra.field).toBe('installerPayloadRef');
    expect(extra.message).toContain('only used with bootc-installer');
  });

  it('checks the installer payload reference and its registry', () => {
    const untagged = refusal(
      buildInput({ type: 'bootc-installer', installerPayloadRef: 'quay.io/org/payload' }),
    );
    expect(untagged.message).toContain('installer payload image');
    expect(untagged.message).toContain('needs a tagged image');
    const foreign = refusal(
      buildInput({ type: 'bootc-installer', installerPayloadRef: 'docker.io/org/payload:v1' }),
    );
    expect(foreign.code).toBe('REGISTRY_NOT_ALLOWED');
    expect(foreign.field).toBe('installerPayloadRef');
  });
});

describe('validateBuildRequest: requester and preset', () => {
  it('refuses Slack ids that are not uppercase letters and digits', () => {
    const error = refusal(buildInput({ requester: { kind: 'slack', userId: 'u123', channelId: 'C1' } }));
    expect(error.field).toBe('requester.userId');
    expect(error.message).toContain('is not a Slack id');
    expect(
      fieldsOf(buildInput({ requester: { kind: 'slack', userId: 'U1', channelId: 'C<#x>', teamId: '' } })),
    ).toEqual(['requester.channelId', 'requester.teamId']);
  });

  it('refuses a CLI user name with a newline and an over-long one', () => {
    expect(refusal(buildInput({ requester: { kind: 'cli', user: 'alice\nadmin' } })).message).toContain(
      'CLI user: must be a single line',
    );
    expect(refusal(buildInput({ requester: { kind: 'cli', user: 'a'.repeat(65) } })).message).toContain(
      'over the 64 limit',
    );
  });

  it('refuses control characters in the preset name', () => {
    expect(refusal(buildInput({ preset: 'centos\u0000' })).field).toBe('preset');
  });
});

describe('collectBuildRequestErrors', () => {
  it('returns nothing for a valid request', () => {
    expect(collectBuildRequestErrors(buildInput(), policy)).toEqual([]);
  });

  it('returns every problem, one per field, in a stable order; validateBuildRequest throws the first', () => {
    const input = buildInput({
      source: 'docker.io/library/fedora:40',
      type: 'bootc-installer',
      customizations: {
        users: [{ name: 'Root' }],
        kernelAppend: 'quiet\nsplash',
        iso: { volumeId: 'my iso' },
      },
    });
    const errors = collectBuildRequestErrors(input, policy);
    expect(errors.map((e) => e.field)).toEqual([
      'source',
      'installerPayloadRef',
      'customizations.users[0].name',
      'customizations.kernelAppend',
      'customizations.iso.volumeId',
      // and again: bootc-installer ISOs ignore the section.
      'customizations.iso.volumeId',
    ]);
    for (const e of errors) expect(e.message).not.toMatch(/"code":|invalid_type|ZodError/);
    expect(refusal(input).message).toBe(errors[0]?.message);
  });

  it('reports all shape problems together when the request is malformed', () => {
    const fields = fieldsOf({ ...buildInput(), source: 1, arch: 'mips', extra: true });
    expect(fields).toEqual(expect.arrayContaining(['source', 'arch', 'extra']));
  });
});
