import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  busyboxInitramfs,
  debianKernel,
  ISOLINUX_BIN,
  LDLINUX_C32,
  packIsolinuxIso,
  requireBootIsoTools,
  virtioDiskModules,
} from './boot-iso.ts';
import { makeTempDir } from './util.ts';

/**
 * A stand-in for an unattended installer ISO (a kickstart that ends with `poweroff`): its busybox /init loads the
 * virtio disk driver, writes a bootable system onto the first disk (/dev/vda) and powers the machine off. The
 * "installed system" is a hybrid isolinux image (the isohybrid MBR boots it from a hard disk) whose /init starts a
 * busybox getty on ttyS0, so booting the disk ends at a `login:` prompt on the serial console.
 */

export type InstallerOutcome =
  /** Writes the system and powers off: the disk boots to `login:`. */
  | 'installs'
  /** Writes the system, then wipes its boot sector, and powers off: the firmware finds nothing to boot. */
  | 'unbootable-disk'
  /** Writes nothing and never powers off, as an installer stuck on an error screen. */
  | 'hangs'
  /** Its /init exits at once: the kernel panics and restarts (an exit under QEMU's -no-reboot). */
  | 'panics';

/** The hostname the installed system's prompt shows: `<hostname> login:`. */
export const INSTALLED_HOSTNAME = 'standin-installed';

const B = '/bin/busybox';

/** /init of the installed system: a login prompt on the serial console, again whenever getty exits. */
function installedInit(): string[] {
  return [
    '#!/bin/busybox sh',
    `${B} mount -t devtmpfs dev /dev`,
    `${B} mount -t proc proc /proc`,
    `${B} hostname ${INSTALLED_HOSTNAME}`,
    "echo 'stand-in installed system: started' > /dev/ttyS0",
    `while :; do ${B} getty 115200 ttyS0 vt100; done`,
  ];
}

/** /init of the installer: write `/disk.img` to the first virtio disk, then power off (or not, per outcome). */
function installerInit(outcome: InstallerOutcome, modules: string[]): string[] {
  const say = (text: string) => `echo 'stand-in installer: ${text}' > /dev/ttyS0`;
  const lines = ['#!/bin/busybox sh', `${B} mount -t devtmpfs dev /dev`, say('started')];
  if (outcome === 'hangs') return [...lines, say('waiting'), `while :; do ${B} sleep 60; done`];
  if (outcome === 'panics') return [...lines, say('giving up'), 'exit 1'];
  return [
    ...lines,
    ...modules.map((m) => `${B} insmod /lib/modules/${m}.ko`),
    // The disk shows up shortly after the driver is loaded.
    `for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; ${B} sleep 1; done`,
    `if [ ! -b /dev/vda ]; then ${say('no disk found')}; while :; do ${B} sleep 60; done; fi`,
    say('writing the system to /dev/vda'),
    `${B} dd if=/disk.img of=/dev/vda bs=1M conv=fsync 2> /dev/ttyS0`,
    ...(outcome === 'unbootable-disk'
      ? [`${B} dd if=/dev/zero of=/dev/vda bs=512 count=1 conv=fsync 2> /dev/ttyS0`]
      : []),
    `${B} sync`,
    say('installation complete, powering off'),
    `${B} poweroff -f`,
  ];
}

/** The installer's initramfs for `outcome`; `scratch` holds the installed system's image while it is made. */
export async function installerInitramfs(outcome: InstallerOutcome, scratch: string): Promise<Buffer> {
  const modules = await virtioDiskModules(await debianKernel());
  const names = modules.map((m) => m.name);
  if (outcome === 'hangs' || outcome === 'panics') return busyboxInitramfs(installerInit(outcome, names));
  const system = join(scratch, 'installed.img');
  await packIsolinuxIso({
    iso: system,
    initramfs: await busyboxInitramfs(installedInit()),
    volumeId: 'INSTALLED',
    hybrid: true,
  });
  const extra = [
    { name: 'lib', mode: 0o040755 },
    { name: 'lib/modules', mode: 0o040755 },
    ...modules.map((m) => ({ name: `lib/modules/${m.name}.ko`, mode: 0o100644, data: m.data })),
    { name: 'disk.img', mode: 0o100644, data: await readFile(system) },
  ];
  await rm(system);
  return busyboxInitramfs(installerInit(outcome, names), extra);
}

/** Builds the installer ISO in a fresh temp dir and returns its path. */
export async function makeInstallerIso(outcome: InstallerOutcome = 'installs'): Promise<string> {
  requireBootIsoTools();
  const dir = await makeTempDir('install-iso');
  const iso = join(dir, 'install.iso');
  await packIsolinuxIso({ iso, initramfs: await installerInitramfs(outcome, dir), volumeId: 'INSTALLER' });
  return iso;
}

/**
 * The files the stand-in builder needs to make bootable installer ISOs (its /usr/lib/bib-standin/boot): isolinux,
 * the kernel, and one installer initramfs per outcome (`initrd-<outcome>.img`). Returns `dir`.
 */
export async function writeStandinBootKit(dir: string): Promise<string> {
  requireBootIsoTools();
  await mkdir(dir, { recursive: true });
  await copyFile(ISOLINUX_BIN, join(dir, 'isolinux.bin'));
  await copyFile(LDLINUX_C32, join(dir, 'ldlinux.c32'));
  await copyFile(await debianKernel(), join(dir, 'vmlinuz'));
  for (const outcome of ['installs', 'unbootable-disk', 'hangs'] as const)
    await writeFile(join(dir, `initrd-${outcome}.img`), await installerInitramfs(outcome, dir));
  return dir;
}
