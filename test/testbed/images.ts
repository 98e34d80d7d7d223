import { chmod, copyFile, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PodmanEnv, podman } from './podman.ts';
import { addBinary, assembleBusyboxRootfs, tarRootfs } from './rootfs.ts';
import { findTool } from './tools.ts';
import { makeTempDir } from './util.ts';

/** The stand-in's entry point script (busybox sh), copied to /usr/bin/bootc-image-builder. */
export const STANDIN_SCRIPT = fileURLToPath(new URL('./standin/bootc-image-builder.sh', import.meta.url));
/** Its config rules and kickstart writer, sourced from /usr/lib/bib-standin. */
const STANDIN_LIB = fileURLToPath(new URL('./standin/config-rules.sh', import.meta.url));
/** Its disk image writer, sourced from /usr/lib/bib-standin for disk types. */
const STANDIN_DISKS = fileURLToPath(new URL('./standin/disk-images.sh', import.meta.url));
/** What makes its ISOs bootable, sourced when the image has a boot kit. */
const STANDIN_INSTALLER_BOOT = fileURLToPath(new URL('./standin/installer-boot.sh', import.meta.url));

/** What a stand-in image can do beyond the shipped baseline (the config's `builders.<name>.features`). */
export const STANDIN_FEATURES = ['iso-customizations', 'bootc-installer', 'yescrypt'] as const;
export type StandInFeature = (typeof STANDIN_FEATURES)[number];

/** NAME in the source image's /etc/os-release; the stand-in copies that file into the ISO as OS-RELEASE. */
export const SOURCE_OS_NAME = 'Demo bootc OS';

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function importRootfs(
  penv: PodmanEnv,
  ref: string,
  kind: string,
  fill: (rootfs: string) => Promise<void>,
  changes: string[],
  importFlags: string[] = [],
): Promise<void> {
  const work = await makeTempDir(kind);
  try {
    const rootfs = join(work, 'rootfs');
    await assembleBusyboxRootfs(rootfs);
    await fill(rootfs);
    const tarball = join(work, 'rootfs.tar');
    await tarRootfs(rootfs, tarball);
    const flags = [...importFlags, ...changes.flatMap((c) => ['--change', c])];
    await podman(penv, ['import', '--quiet', ...flags, tarball, ref]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The bootc-image-builder stand-in: busybox + xorriso (with its libraries) + test/testbed/standin/*.sh as
 * /usr/bin/bootc-image-builder, ENTRYPOINT and WORKDIR /output like the real image. `features` is baked into the
 * image (BIB_STANDIN_FEATURES), so one tag can play an older builder and another a newer one. `bootKit` (a folder
 * from writeStandinBootKit) makes its ISOs bootable installers that follow the kickstart.
 */
export async function buildStandInBuilder(
  penv: PodmanEnv,
  ref: string,
  opts: { features?: readonly StandInFeature[]; bootKit?: string } = {},
): Promise<void> {
  const xorriso = findTool('xorriso');
  if (xorriso === undefined) throw new Error('testbed: xorriso is not installed (apt-get install xorriso)');
  await importRootfs(
    penv,
    ref,
    'standin',
    async (rootfs) => {
      await addBinary(rootfs, xorriso, '/usr/bin/xorriso');
      const entry = join(rootfs, 'usr/bin/bootc-image-builder');
      await copyFile(STANDIN_SCRIPT, entry);
      await chmod(entry, 0o755);
      await mkdir(join(rootfs, 'usr/lib/bib-standin'), { recursive: true });
      await copyFile(STANDIN_LIB, join(rootfs, 'usr/lib/bib-standin/config-rules.sh'));
      await copyFile(STANDIN_DISKS, join(rootfs, 'usr/lib/bib-standin/disk-images.sh'));
      await copyFile(STANDIN_INSTALLER_BOOT, join(rootfs, 'usr/lib/bib-standin/installer-boot.sh'));
      if (opts.bootKit) await cp(opts.bootKit, join(rootfs, 'usr/lib/bib-standin/boot'), { recursive: true });
      for (const d of ['output', 'store', 'rpmmd']) await mkdir(join(rootfs, d), { recursive: true });
    },
    [
      'ENTRYPOINT ["/usr/bin/bootc-image-builder"]',
      'WORKDIR /output',
      `ENV ${PATH_ENV}`,
      `ENV BIB_STANDIN_FEATURES="${(opts.features ?? []).join(' ')}"`,
      'LABEL org.opencontainers.image.title=bib-standin',
    ],
  );
}

/**
 * A tiny "bootc source image": busybox rootfs, /etc/os-release naming it, label containers.bootc=1. `bootcLabel:
 * false` leaves the label out (not a bootc image to the builder); `arch` records another architecture (podman's
 * name, e.g. arm64) in the image config, which is all the builder looks at.
 */
export async function buildSourceImage(
  penv: PodmanEnv,
  ref: string,
  opts: { bootcLabel?: boolean; arch?: string } = {},
): Promise<void> {
  const osRelease = [
    `NAME="${SOURCE_OS_NAME}"`,
    'ID=demo-bootc',
    'VERSION_ID=1',
    `PRETTY_NAME="${SOURCE_OS_NAME} 1"`,
    '',
  ].join('\n');
  await importRootfs(
    penv,
    ref,
    'source',
    async (rootfs) => {
      await writeFile(join(rootfs, 'etc/os-release'), osRelease);
      await mkdir(join(rootfs, 'usr/lib'), { recursive: true });
      await writeFile(join(rootfs, 'usr/lib/os-release'), osRelease);
    },
    [
      'CMD ["/bin/sh"]',
      `ENV ${PATH_ENV}`,
      ...(opts.bootcLabel === false ? [] : ['LABEL containers.bootc=1', 'LABEL ostree.bootable=1']),
      `LABEL org.opencontainers.image.title=${SOURCE_OS_NAME.replaceAll(' ', '-')}`,
    ],
    opts.arch === undefined ? [] : ['--arch', opts.arch],
  );
}

/** `podman login` with the password on stdin, into `authfile` (default: the env's REGISTRY_AUTH_FILE). */
export async function loginRegistry(
  penv: Pick<PodmanEnv, 'env'>,
  host: string,
  auth: { username: string; password: string },
  opts: { authfile?: string } = {},
): Promise<void> {
  const authfile = opts.authfile ? ['--authfile', opts.authfile] : [];
  await podman(
    penv,
    ['login', ...authfile, '--tls-verify=false', '--username', auth.username, '--password-stdin', host],
    { input: auth.password },
  );
}

/** Pushes over plain HTTP with credentials in a temp authfile (password on stdin, never argv). */
export async function pushImage(
  penv: PodmanEnv,
  localRef: string,
  remoteRef: string,
  auth: { username: string; password: string },
): Promise<void> {
  const host = remoteRef.split('/')[0] ?? remoteRef;
  const work = await makeTempDir('push-auth');
  try {
    const authfile = join(work, 'auth.json');
    await loginRegistry(penv, host, auth, { authfile });
    await podman(penv, [
      'push',
      '--quiet',
      '--authfile',
      authfile,
      '--tls-verify=false',
      localRef,
      `docker://${remoteRef}`,
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
