import { describe, expect, it } from 'vitest';
import {
  type BibRunOptions,
  buildPodmanRunArgs,
  containerNameFor,
  LABELS,
} from '../../../src/domain/bib-args.ts';
import { appErrorFrom, HOSTILE_REFS, SHA256_DIGEST } from './fixtures.ts';

function options(overrides: Partial<BibRunOptions> = {}): BibRunOptions {
  return {
    containerName: 'bootc-iso-b7k3m9x2q',
    labels: { [LABELS.managed]: 'true', [LABELS.build]: 'b7k3m9x2q', [LABELS.host]: 'worker-1' },
    configPath: '/var/lib/bootc-iso/b7k3m9x2q/config.toml',
    outputDir: '/var/lib/bootc-iso/b7k3m9x2q/output',
    containerStorage: '/var/lib/containers/storage',
    builderImage: 'quay.io/centos-bootc/bootc-image-builder:latest',
    type: 'anaconda-iso',
    sourceRef: 'quay.io/centos-bootc/centos-bootc:stream9',
    ...overrides,
  };
}

describe('buildPodmanRunArgs', () => {
  it('produces the documented BIB invocation in order, with labels sorted by key', () => {
    expect(buildPodmanRunArgs(options())).toEqual([
      'run',
      '--rm',
      '--privileged',
      '--pull=newer',
      '--security-opt',
      'label=type:unconfined_t',
      '--name',
      'bootc-iso-b7k3m9x2q',
      '--label',
      'io.bootc-iso.build=b7k3m9x2q',
      '--label',
      'io.bootc-iso.host=worker-1',
      '--label',
      'io.bootc-iso.managed=true',
      '-v',
      '/var/lib/bootc-iso/b7k3m9x2q/config.toml:/config.toml:ro',
      '-v',
      '/var/lib/bootc-iso/b7k3m9x2q/output:/output',
      '-v',
      '/var/lib/containers/storage:/var/lib/containers/storage',
      'quay.io/centos-bootc/bootc-image-builder:latest',
      '--type',
      'anaconda-iso',
      '--progress',
      'verbose',
      'quay.io/centos-bootc/centos-bootc:stream9',
    ]);
  });

  it('adds global args, caches, rootfs, target arch, installer payload and the pull policy when given', () => {
    const args = buildPodmanRunArgs(
      options({
        podmanGlobalArgs: ['--root', '/srv/containers', '--log-level=warn'],
        storeDir: '/var/cache/bootc-iso/store',
        rpmmdDir: '/var/cache/bootc-iso/rpmmd',
        type: 'bootc-installer',
        rootfs: 'xfs',
        targetArch: 'aarch64',
        installerPayloadRef: 'quay.io/org/payload:v1',
        pull: 'never',
        builderImage: `quay.io/centos-bootc/bootc-image-builder@${SHA256_DIGEST}`,
      }),
    );
    expect(args.slice(0, 4)).toEqual(['--root', '/srv/containers', '--log-level=warn', 'run']);
    expect(args).toContain('--pull=never');
    const builderAt = args.indexOf(`quay.io/centos-bootc/bootc-image-builder@${SHA256_DIGEST}`);
    expect(args.slice(builderAt - 4, builderAt)).toEqual([
      '-v',
      '/var/cache/bootc-iso/store:/store',
      '-v',
      '/var/cache/bootc-iso/rpmmd:/rpmmd',
    ]);
    expect(args.slice(builderAt + 1)).toEqual([
      '--type',
      'bootc-installer',
      '--progress',
      'verbose',
      '--rootfs',
      'xfs',
      '--target-arch',
      'aarch64',
      '--installer-payload-ref',
      'quay.io/org/payload:v1',
      'quay.io/centos-bootc/centos-bootc:stream9',
    ]);
  });

  it('refuses option-like and shell-laden image references', () => {
    for (const sourceRef of Object.values(HOSTILE_REFS)) {
      const error = appErrorFrom(() => buildPodmanRunArgs(options({ sourceRef })));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.field).toBe('sourceRef');
    }
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ builderImage: '--privileged' }))).field).toBe(
      'builderImage',
    );
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ installerPayloadRef: '-v/:/host' }))).field).toBe(
      'installerPayloadRef',
    );
  });

  it('refuses an untagged source image, as BIB would', () => {
    expect(
      appErrorFrom(() => buildPodmanRunArgs(options({ sourceRef: 'quay.io/org/image' }))).message,
    ).toContain('needs a tagged image');
  });

  it('refuses mount paths that are relative, option-like, or contain ":" "," or control characters', () => {
    const cases: [Partial<BibRunOptions>, string, string][] = [
      [{ configPath: 'config.toml' }, 'configPath', 'absolute path'],
      [{ outputDir: '-v' }, 'outputDir', 'would be read as an option'],
      [{ outputDir: '/out:/etc' }, 'outputDir', 'contains ":" or ","'],
      [{ containerStorage: '/var/lib/containers/storage,ro' }, 'containerStorage', 'contains ":" or ","'],
      [{ storeDir: '/store\n' }, 'storeDir', 'U+000A'],
      [{ rpmmdDir: '/var/cache/../../etc' }, 'rpmmdDir', 'normalised path'],
      [{ configPath: '' }, 'configPath', 'is empty'],
    ];
    for (const [override, field, fragment] of cases) {
      const error = appErrorFrom(() => buildPodmanRunArgs(options(override)));
      expect(error.field).toBe(field);
      expect(error.message).toContain(fragment);
    }
  });

  it('refuses bad container names, label keys, label values and global args', () => {
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ containerName: '--rm' }))).field).toBe(
      'containerName',
    );
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ containerName: 'a b' }))).field).toBe(
      'containerName',
    );
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ labels: { 'Bad Key': 'x' } }))).field).toBe(
      'labels',
    );
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ labels: { 'io.x': '-x' } }))).message).toContain(
      'would be read as an option',
    );
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ labels: { 'io.x': 'a\nb' } }))).message).toContain(
      'U+000A',
    );
    expect(
      appErrorFrom(() => buildPodmanRunArgs(options({ podmanGlobalArgs: ['--root\u0000'] }))).field,
    ).toBe('podmanGlobalArgs');
  });

  it('refuses values outside the enums even when the types are bypassed', () => {
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ type: 'ova' as 'iso' }))).field).toBe('type');
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ type: ['iso', 'qcow2'] }))).message).toContain(
      'one ISO type or disk types only',
    );
    expect(buildPodmanRunArgs(options({ type: ['qcow2', 'raw'] })).join(' ')).toContain(
      '--type qcow2 --type raw --progress verbose',
    );
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ rootfs: '--x' as 'xfs' }))).field).toBe('rootfs');
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ targetArch: 'mips' as 'x86_64' }))).field).toBe(
      'targetArch',
    );
    expect(appErrorFrom(() => buildPodmanRunArgs(options({ pull: 'sometimes' as 'never' }))).field).toBe(
      'pull',
    );
  });
});

describe('containerNameFor', () => {
  it('prefixes the build id', () => {
    expect(containerNameFor('b7k3m9x2q')).toBe('bootc-iso-b7k3m9x2q');
  });

  it('refuses ids that would not make a valid container name', () => {
    expect(appErrorFrom(() => containerNameFor('a/b')).code).toBe('INVALID_REQUEST');
  });
});
