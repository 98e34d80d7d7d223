import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoginOptions, PullOptions } from '../../../workers/podman.ts';
import { createImageWarmer, type WarmConfig, warmTargets } from '../../../workers/warm-images.ts';

const logger = pino({ level: 'silent' });
const GIB = 1024 ** 3;
const CENTOS_BUILDER = 'quay.io/centos-bootc/bootc-image-builder:latest';
const RHEL_BUILDER = 'registry.redhat.io/rhel9/bootc-image-builder:9.7';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warm-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config(overrides: Partial<WarmConfig> = {}): WarmConfig {
  return {
    builders: { centos: { image: CENTOS_BUILDER }, rhel9: { image: RHEL_BUILDER } },
    presets: {
      stream9: { image: 'quay.io/centos-bootc/centos-bootc:stream9', builder: 'centos', description: '' },
      stream10: { image: 'quay.io/centos-bootc/centos-bootc:stream10', builder: 'centos', description: '' },
      rhel9: { image: 'registry.redhat.io/rhel9/rhel-bootc:9.7', builder: 'rhel9', description: '' },
    },
    registries: { 'registry.redhat.io': { username: 'robot', password: 'hunter2', insecure: false } },
    worker: {
      workDir: dir,
      containerStorage: dir,
      minFreeDiskGiB: 20,
      warm: { intervalMinutes: 30 },
      timeouts: { loginSeconds: 60, pullSeconds: 600 },
    },
    ...overrides,
  };
}

function fakePodman(
  fail: (ref: string) => boolean = () => false,
  sizeOf: (ref: string) => number = () => GIB,
) {
  const calls: string[] = [];
  const authFiles = new Set<string>();
  const policies = new Set<string>();
  return {
    calls,
    authFiles,
    policies,
    podman: {
      async imageSize(ref: string) {
        return sizeOf(ref);
      },
      async login(o: LoginOptions) {
        calls.push(`login ${o.registry} ${o.username}`);
        authFiles.add(o.authFile);
      },
      async pull(o: PullOptions) {
        calls.push(`pull ${o.ref}`);
        authFiles.add(o.authFile);
        if (o.signaturePolicy) policies.add(await readFile(o.signaturePolicy, 'utf8'));
        if (fail(o.ref)) throw new Error(`unreachable ${o.ref}`);
      },
      async imageDigest(ref: string) {
        return `sha256:${ref.length}`;
      },
    },
  };
}

describe('warm images', () => {
  it('targets the builders and sources of the presets this host can build, builders first', () => {
    expect(warmTargets(config(), [])).toEqual([
      CENTOS_BUILDER,
      'quay.io/centos-bootc/centos-bootc:stream9',
      'quay.io/centos-bootc/centos-bootc:stream10',
    ]);
    expect(warmTargets(config(), ['rhel-entitlement'])).toEqual([
      CENTOS_BUILDER,
      RHEL_BUILDER,
      'quay.io/centos-bootc/centos-bootc:stream9',
      'quay.io/centos-bootc/centos-bootc:stream10',
      'registry.redhat.io/rhel9/rhel-bootc:9.7',
    ]);
  });

  it('pulls each target once, logging in with the build credentials into a private auth file it removes', async () => {
    const fake = fakePodman();
    const warmer = createImageWarmer({
      config: config(),
      podman: fake.podman,
      logger,
      arch: 'x86_64',
      capabilities: ['rhel-entitlement'],
      readFree: async () => 100 * GIB,
    });
    await warmer.pass();
    expect(fake.calls).toEqual([
      `pull ${CENTOS_BUILDER}`,
      'login registry.redhat.io robot',
      `pull ${RHEL_BUILDER}`,
      'pull quay.io/centos-bootc/centos-bootc:stream9',
      'pull quay.io/centos-bootc/centos-bootc:stream10',
      'pull registry.redhat.io/rhel9/rhel-bootc:9.7',
    ]);
    expect(fake.authFiles.size).toBe(1);
    const [authFile] = [...fake.authFiles];
    expect(authFile?.startsWith(join(dir, 'warm-'))).toBe(true);
    expect(await readdir(dir)).toEqual([]);
    expect(warmer.warm()).toContainEqual({ ref: RHEL_BUILDER, digest: `sha256:${RHEL_BUILDER.length}` });
    expect(warmer.warm()).toHaveLength(5);
  });

  it('pulls through the size limit and the signature policy a build uses', async () => {
    const fake = fakePodman(
      () => false,
      (ref) => (ref.endsWith(':stream10') ? 30 * GIB : GIB),
    );
    const warmer = createImageWarmer({
      config: config({
        access: {
          signatures: {
            'quay.io/centos-bootc/': { sigstoreSigned: { keyPath: '/etc/pki/centos.pub' } },
          },
        },
      }),
      podman: fake.podman,
      logger,
      arch: 'x86_64',
      capabilities: [],
      readFree: async () => 100 * GIB,
    });
    await warmer.pass();
    // 30 GiB is over the default limit: refused before its pull, as a build would refuse it.
    expect(fake.calls).toEqual([`pull ${CENTOS_BUILDER}`, 'pull quay.io/centos-bootc/centos-bootc:stream9']);
    expect(warmer.warm().map((w) => w.ref)).toEqual([
      CENTOS_BUILDER,
      'quay.io/centos-bootc/centos-bootc:stream9',
    ]);
    expect(fake.policies.size).toBe(1);
    const [policy] = [...fake.policies];
    expect(JSON.parse(policy ?? '{}').transports.docker['quay.io/centos-bootc']).toEqual([
      { type: 'sigstoreSigned', keyPath: '/etc/pki/centos.pub', signedIdentity: { type: 'matchRepository' } },
    ]);
  });

  it('skips the pass when the disk is below the build minimum', async () => {
    const fake = fakePodman();
    const warmer = createImageWarmer({
      config: config(),
      podman: fake.podman,
      logger,
      arch: 'x86_64',
      capabilities: [],
      readFree: async () => 19 * GIB,
    });
    await warmer.pass();
    expect(fake.calls).toEqual([]);
    expect(warmer.warm()).toEqual([]);
  });

  it('keeps warming the other images when one registry fails, and does not list the failed one', async () => {
    const fake = fakePodman((ref) => ref.endsWith(':stream9'));
    const warmer = createImageWarmer({
      config: config(),
      podman: fake.podman,
      logger,
      arch: 'x86_64',
      capabilities: [],
      readFree: async () => 100 * GIB,
    });
    await warmer.pass();
    expect(warmer.warm().map((w) => w.ref)).toEqual([
      CENTOS_BUILDER,
      'quay.io/centos-bootc/centos-bootc:stream10',
    ]);
  });

  it('removes the auth directory a crashed pass left, then warms', async () => {
    await mkdir(join(dir, 'warm-stale'));
    await writeFile(join(dir, 'warm-stale', 'auth.json'), '{}');
    const fake = fakePodman();
    const warmer = createImageWarmer({
      config: config(),
      podman: fake.podman,
      logger,
      arch: 'x86_64',
      capabilities: [],
      readFree: async () => 100 * GIB,
    });
    warmer.start();
    await expect.poll(() => warmer.warm().length).toBe(3);
    warmer.stop();
    expect(await readdir(dir)).toEqual([]);
  });

  it('does nothing when the interval is 0 (turned off)', async () => {
    const fake = fakePodman();
    const off = config();
    off.worker.warm.intervalMinutes = 0;
    const warmer = createImageWarmer({
      config: off,
      podman: fake.podman,
      logger,
      arch: 'x86_64',
      capabilities: [],
      readFree: async () => 100 * GIB,
    });
    warmer.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    warmer.stop();
    expect(fake.calls).toEqual([]);
  });
});
