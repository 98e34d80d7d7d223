import { describe, expect, it } from 'vitest';
import { ConfigFile } from '../../../src/config/file-schema.ts';
import { AppError } from '../../../src/domain/errors.ts';
import {
  checkBuilderPull,
  checkContainerRun,
  checkDisk,
  checkEntitlement,
  checkLoopDevice,
  checkMemory,
  checkPodman,
  checkRegistryLogin,
  checkRoot,
  checkSelinux,
} from '../../../workers/doctor/checks.ts';
import type { DoctorProbes } from '../../../workers/doctor/probes.ts';
import { doctorExitCode, formatResults, summarise } from '../../../workers/doctor/report.ts';
import { runDoctor } from '../../../workers/doctor/run-doctor.ts';
import type { EntitlementFacts } from '../../../workers/host-capabilities.ts';

const GIB = 1024 ** 3;
const entitled: EntitlementFacts = {
  osId: 'rhel',
  entitlementFiles: ['1.pem', '1-key.pem'],
  secretsMounts: ['/usr/share/rhel/secrets:/run/secrets'],
};
const debian: EntitlementFacts = { osId: 'debian', entitlementFiles: [], secretsMounts: [] };

describe('each doctor check', () => {
  it('root: fails for anyone else, saying the builder needs rootful podman', () => {
    expect(checkRoot(0).status).toBe('ok');
    const r = checkRoot(1000);
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('rootful podman');
    expect(r.fix).toContain('as root');
  });

  it('podman: missing or older than 4 fails', () => {
    expect(checkPodman({ version: '4.9.4' }).status).toBe('ok');
    expect(checkPodman({ version: '3.4.2' }).status).toBe('fail');
    expect(checkPodman({ error: '"podman" is not installed' })).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('install podman'),
    });
    expect(checkPodman({ version: 'dev' }).status).toBe('warn');
  });

  it('container: says which runtime ran it, or how to fix the runtime', () => {
    expect(checkContainerRun({ ran: true, runtime: 'runc', image: 'b:1' }).detail).toContain('runc runtime');
    const failed = checkContainerRun({
      ran: false,
      error: 'cgroups in hybrid mode not supported',
      image: 'b:1',
    });
    expect(failed.status).toBe('fail');
    expect(failed.fix).toContain('runtime = "runc"');
    expect(checkContainerRun({ ran: false, error: 'no builder image' }).status).toBe('warn');
  });

  it('selinux: enforcing needs osbuild-selinux', () => {
    expect(checkSelinux('disabled', null).status).toBe('ok');
    expect(checkSelinux('permissive', false).status).toBe('ok');
    expect(checkSelinux('enforcing', true).status).toBe('ok');
    expect(checkSelinux('enforcing', false)).toMatchObject({
      status: 'fail',
      fix: 'dnf install osbuild-selinux',
    });
  });

  it('entitlement: ok when entitled, warn when RHEL presets exist and it is not, fail when declared but not true', () => {
    const detected = {
      capabilities: ['rhel-entitlement' as const],
      source: 'detected' as const,
      entitlementProblems: [],
    };
    expect(checkEntitlement(detected, true).status).toBe('ok');
    const plain = {
      capabilities: [],
      source: 'detected' as const,
      entitlementProblems: ['the host runs debian, not RHEL'],
    };
    expect(checkEntitlement(plain, false).status).toBe('ok');
    expect(checkEntitlement(plain, true)).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('subscription-manager register'),
    });
    const lying = {
      capabilities: ['rhel-entitlement' as const],
      source: 'declared' as const,
      entitlementProblems: ['no entitlement certificate'],
    };
    expect(checkEntitlement(lying, true)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('will fail'),
    });
  });

  it('disk: unreadable or below the minimum fails; little room warns', () => {
    expect(checkDisk('workDir', '/w', null, 20)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('cannot be read'),
    });
    expect(checkDisk('workDir', '/w', 10 * GIB, 20)).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('worker.workDir'),
    });
    expect(checkDisk('containerStorage', '/s', 25 * GIB, 20).status).toBe('warn');
    expect(checkDisk('containerStorage', '/s', 100 * GIB, 20)).toMatchObject({
      status: 'ok',
      detail: '100.0 GiB free on /s',
    });
  });

  it('memory and /tmp', () => {
    expect(checkMemory(1 * GIB, { tmpfs: false, freeBytes: null }).status).toBe('fail');
    expect(checkMemory(3 * GIB, { tmpfs: false, freeBytes: null }).status).toBe('warn');
    expect(checkMemory(16 * GIB, { tmpfs: true, freeBytes: 1 * GIB }).status).toBe('warn');
    expect(checkMemory(16 * GIB, { tmpfs: true, freeBytes: 8 * GIB })).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('tmpfs'),
    });
  });

  it('loop device', () => {
    expect(checkLoopDevice({ control: false, free: null }).fix).toContain('modprobe loop');
    expect(
      checkLoopDevice({ control: true, free: null, error: 'could not find any free loop device' }).status,
    ).toBe('fail');
    expect(checkLoopDevice({ control: true, free: '/dev/loop3' })).toMatchObject({
      status: 'ok',
      detail: 'free loop device /dev/loop3',
    });
  });

  it('registry: a refused login points at the credentials, an outage at the network', () => {
    expect(checkRegistryLogin('r', { loggedIn: true, username: 'u' }).status).toBe('ok');
    expect(checkRegistryLogin('r', { anonymous: true }).status).toBe('ok');
    expect(checkRegistryLogin('r', { error: 'authentication failed', code: 'AUTH_FAILED' }).fix).toContain(
      'registries."r".username',
    );
    expect(checkRegistryLogin('r', { error: 'unreachable', code: 'REGISTRY_UNAVAILABLE' }).fix).toContain(
      'reachable',
    );
  });

  it('builder: the fix follows what the registry said', () => {
    const image = 'registry.redhat.io/rhel9/bootc-image-builder:9.7';
    expect(checkBuilderPull('rhel9', image, { pulled: true }).status).toBe('ok');
    const fixOf = (code: string) => checkBuilderPull('rhel9', image, { error: 'x', code }).fix;
    expect(fixOf('AUTH_FAILED')).toContain('credentials for registry.redhat.io');
    expect(fixOf('IMAGE_NOT_FOUND')).toContain('fix builders.rhel9.image');
    expect(fixOf('REGISTRY_UNAVAILABLE')).toContain('reachable');
    expect(fixOf('INVALID_REQUEST')).toContain('worker.maxImageGiB');
    expect(fixOf('SIGNATURE_REJECTED')).toContain('access.signatures');
  });

  it('prints one line per check with the fix, and exits 1 on any fail', () => {
    const results = [
      checkRoot(0),
      checkSelinux('enforcing', false),
      checkDisk('workDir', '/w', 25 * GIB, 20),
    ];
    expect(formatResults(results).split('\n')).toEqual([
      'ok   root: running as root',
      expect.stringMatching(/^fail selinux: .* → dnf install osbuild-selinux$/),
      expect.stringMatching(/^warn disk workDir: 25.0 GiB free on \/w: .* → keep 40 GiB/),
    ]);
    expect(doctorExitCode(results)).toBe(1);
    expect(doctorExitCode([checkRoot(0)])).toBe(0);
    expect(summarise(results)).toEqual({ ok: 1, warn: 1, fail: 1, failing: ['selinux'] });
  });
});

/** A healthy host, each answer replaceable. */
function probes(over: Partial<DoctorProbes> = {}): DoctorProbes & { logins: string[]; pulls: string[] } {
  const logins: string[] = [];
  const pulls: string[] = [];
  return {
    logins,
    pulls,
    uid: () => 0,
    podmanVersion: async () => ({ version: '4.9.4' }),
    runContainer: async (image) => ({ ran: true, runtime: 'crun', image }),
    selinux: async () => ({ mode: 'enforcing', osbuildSelinux: true }),
    entitlement: async () => entitled,
    freeBytes: async () => 200 * GIB,
    memory: async () => ({ totalBytes: 16 * GIB, tmp: { tmpfs: false, freeBytes: 50 * GIB } }),
    loop: async () => ({ control: true, free: '/dev/loop0' }),
    withAuthFile: (use) => use('/tmp/doctor/auth.json'),
    login: async (registry, _s, authFile) => void logins.push(`${registry} ${authFile}`),
    pull: async (image, _r, authFile) => void pulls.push(`${image} ${authFile}`),
    ...over,
  };
}

const config = ConfigFile.parse({
  registries: { 'registry.redhat.io': { username: 'me', password: 'secret' }, 'quay.io': {} },
});

describe('runDoctor', () => {
  it('on a healthy entitled host: every check ok, logins and pulls through one throw-away auth file', async () => {
    const p = probes();
    const results = await runDoctor(config, p);
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['root', 'ok'],
      ['podman', 'ok'],
      ['signing key', 'ok'],
      ['selinux', 'ok'],
      ['entitlement', 'ok'],
      ['disk workDir', 'ok'],
      ['disk containerStorage', 'ok'],
      ['memory', 'ok'],
      ['loop device', 'ok'],
      ['registry registry.redhat.io', 'ok'],
      ['registry quay.io', 'ok'],
      ['builder rhel9', 'ok'],
      ['builder rhel10', 'ok'],
      ['builder centos', 'ok'],
      ['container', 'ok'],
    ]);
    expect(p.logins).toEqual(['registry.redhat.io /tmp/doctor/auth.json']);
    expect(p.pulls).toHaveLength(3);
    expect(doctorExitCode(results)).toBe(0);
  });

  it('on a Debian host with wrong credentials: the login and the RHEL builders fail, entitlement warns', async () => {
    const refused = new AppError('AUTH_FAILED', 'authentication failed for registry.redhat.io');
    const p = probes({
      entitlement: async () => debian,
      selinux: async () => ({ mode: 'disabled', osbuildSelinux: null }),
      login: async () => {
        throw refused;
      },
      pull: async (image) => {
        if (image.startsWith('registry.redhat.io')) throw refused;
      },
    });
    const results = await runDoctor(config, p);
    const status = Object.fromEntries(results.map((r) => [r.name, r.status]));
    expect(status).toMatchObject({
      entitlement: 'warn',
      'registry registry.redhat.io': 'fail',
      'builder rhel9': 'fail',
      'builder centos': 'ok',
      container: 'ok',
    });
    expect(doctorExitCode(results)).toBe(1);
  });
});
