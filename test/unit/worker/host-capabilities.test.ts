import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type EntitlementFacts,
  entitlementProblems,
  hostCapabilities,
  readEntitlementFacts,
} from '../../../workers/host-capabilities.ts';

const entitled: EntitlementFacts = {
  osId: 'rhel',
  entitlementFiles: ['123.pem', '123-key.pem'],
  secretsMounts: ['/usr/share/rhel/secrets:/run/secrets'],
};
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('whether a host can build RHEL ISOs', () => {
  it('a registered RHEL host whose podman mounts the subscription can', () => {
    expect(entitlementProblems(entitled)).toEqual([]);
    expect(hostCapabilities(undefined, entitled)).toEqual({
      capabilities: ['rhel-entitlement'],
      source: 'detected',
      entitlementProblems: [],
    });
  });

  it('says what is missing: another OS, no certificates, no secrets mount', () => {
    const debian = entitlementProblems({ osId: 'debian', entitlementFiles: [], secretsMounts: [] });
    expect(debian).toHaveLength(3);
    expect(debian[0]).toContain('debian, not RHEL');
    expect(debian[1]).toContain('subscription-manager register');
    expect(debian[2]).toContain('/usr/share/rhel/secrets:/run/secrets');
    expect(entitlementProblems({ ...entitled, entitlementFiles: ['123.pem'] })).toHaveLength(1);
    expect(hostCapabilities(undefined, { ...entitled, secretsMounts: [] }).capabilities).toEqual([]);
  });

  it('takes what the operator declared, even [] on an entitled host', () => {
    expect(hostCapabilities([], entitled).capabilities).toEqual([]);
    const declared = hostCapabilities(['rhel-entitlement'], { ...entitled, osId: 'debian' });
    expect(declared.capabilities).toEqual(['rhel-entitlement']);
    expect(declared.source).toBe('declared');
    expect(declared.entitlementProblems).toHaveLength(1);
  });

  it('reads the facts from the files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'entitlement-'));
    dirs.push(root);
    await mkdir(join(root, 'etc/pki/entitlement'), { recursive: true });
    await mkdir(join(root, 'usr/share/containers'), { recursive: true });
    await writeFile(
      join(root, 'etc/os-release'),
      'NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="9.4"\n',
    );
    await writeFile(join(root, 'etc/pki/entitlement/42.pem'), '');
    await writeFile(join(root, 'etc/pki/entitlement/42-key.pem'), '');
    await writeFile(
      join(root, 'usr/share/containers/mounts.conf'),
      '# comment\n/usr/share/rhel/secrets:/run/secrets\n',
    );
    expect(await readEntitlementFacts(root)).toEqual({
      osId: 'rhel',
      entitlementFiles: ['42-key.pem', '42.pem'],
      secretsMounts: ['/usr/share/rhel/secrets:/run/secrets'],
    });
    expect(await readEntitlementFacts(join(root, 'nothing'))).toEqual({
      osId: null,
      entitlementFiles: [],
      secretsMounts: [],
    });
  });
});
