import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Access } from '../../../src/config/access-schema.ts';
import { policyJson, registriesDYaml, writeSignaturePolicy } from '../../../workers/signature-policy.ts';

const rules = Access.parse({
  signatures: {
    'registry.redhat.io': {
      signedBy: { keyPath: '/etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release' },
      lookaside: 'https://registry.redhat.io/containers/sigstore',
    },
    'quay.io/myorg/': { sigstoreSigned: { keyPath: '/etc/bootc-iso/cosign.pub' } },
  },
}).signatures;

describe('the signature policy a worker pulls through', () => {
  it('requires each configured scope’s key and accepts the rest as before', () => {
    expect(policyJson(rules)).toEqual({
      default: [{ type: 'insecureAcceptAnything' }],
      transports: {
        docker: {
          'registry.redhat.io': [
            { type: 'signedBy', keyType: 'GPGKeys', keyPath: '/etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release' },
          ],
          'quay.io/myorg': [
            {
              type: 'sigstoreSigned',
              keyPath: '/etc/bootc-iso/cosign.pub',
              signedIdentity: { type: 'matchRepository' },
            },
          ],
        },
        'containers-storage': { '': [{ type: 'insecureAcceptAnything' }] },
      },
    });
    expect(registriesDYaml(rules)).toBe(
      [
        'docker:',
        '  "registry.redhat.io":',
        '    lookaside: "https://registry.redhat.io/containers/sigstore"',
        '  "quay.io/myorg":',
        '    use-sigstore-attachments: true',
        '',
      ].join('\n'),
    );
  });

  it('writes the policy always and registries.d only when some rule needs it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigpolicy-'));
    const none = await writeSignaturePolicy(join(dir, 'a'), {});
    expect(none.home).toBeUndefined();
    expect(JSON.parse(await readFile(none.policyPath, 'utf8')).transports.docker).toEqual({});
    const some = await writeSignaturePolicy(join(dir, 'b'), rules);
    const yaml = await readFile(
      join(some.home ?? '', '.config/containers/registries.d/bootc-iso.yaml'),
      'utf8',
    );
    expect(yaml).toContain('use-sigstore-attachments: true');
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a rule with no key, two keys, or simple signing without a lookaside', () => {
    const bad = (rule: unknown) => Access.safeParse({ signatures: { 'quay.io': rule } }).success;
    expect(bad({})).toBe(false);
    expect(
      bad({ signedBy: { keyPath: '/k' }, sigstoreSigned: { keyPath: '/k' }, lookaside: 'file:///s' }),
    ).toBe(false);
    expect(bad({ signedBy: { keyPath: '/k' } })).toBe(false);
    expect(bad({ sigstoreSigned: { keyPath: 'relative.pub' } })).toBe(false);
    expect(bad({ sigstoreSigned: { keyPath: '/k.pub' } })).toBe(true);
  });
});
