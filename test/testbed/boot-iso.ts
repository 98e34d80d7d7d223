import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { findTool } from './tools.ts';
import { makeTempDir } from './util.ts';

/**
 * A small bootable installer stand-in: a Debian kernel (taken out of the linux-image package without installing it),
 * a busybox initramfs whose /init prints a line on the first serial port and powers off, and isolinux, packed by
 * xorriso into a BIOS-bootable ISO. It boots in a few seconds under software emulation, so the boot test runs on
 * machines without KVM.
 */

export const ISOLINUX_BIN = '/usr/lib/ISOLINUX/isolinux.bin';
export const LDLINUX_C32 = '/usr/lib/syslinux/modules/bios/ldlinux.c32';
/** The MBR that makes an isolinux ISO boot from a hard disk too (xorriso's -isohybrid-mbr). */
const ISOHYBRID_MBR = '/usr/lib/ISOLINUX/isohdpfx.bin';
const KERNEL_META_PACKAGE = 'linux-image-amd64';

/** Debian packages the boot stand-in needs, for the error message when something is missing. */
export const BOOT_ISO_PACKAGES = 'qemu-system-x86 isolinux syslinux-common xorriso busybox-static';

/** Throws naming what to install; call it in beforeAll (never skip in CI). */
export function requireBootIsoTools(): void {
  const missing = [
    'qemu-system-x86_64',
    'xorriso',
    'busybox',
    'apt-get',
    'apt-cache',
    'dpkg-deb',
    'tar',
  ].filter((tool) => findTool(tool) === undefined);
  for (const file of [ISOLINUX_BIN, LDLINUX_C32, ISOHYBRID_MBR]) if (!existsSync(file)) missing.push(file);
  if (missing.length > 0) {
    throw new Error(
      `boot test stand-in needs: ${missing.join(', ')} — install with: apt-get install -y ${BOOT_ISO_PACKAGES}`,
    );
  }
}

let kernelPromise: Promise<string> | undefined;

/** Path of a Debian amd64 kernel image, downloaded once per test process. */
export function debianKernel(): Promise<string> {
  kernelPromise ??= fetchKernel();
  return kernelPromise;
}

/** Removes the downloaded kernel (call in afterAll); the next debianKernel() downloads it again. */
export async function removeDebianKernel(): Promise<void> {
  const pending = kernelPromise;
  kernelPromise = undefined;
  const kernel = await pending?.catch(() => undefined);
  if (kernel) await rm(join(kernel, '..', '..'), { recursive: true, force: true });
}

async function fetchKernel(): Promise<string> {
  const dir = await makeTempDir('kernel');
  // The meta package only depends on the versioned one, which holds the kernel.
  const depends = await execa('apt-cache', [
    'depends',
    '--no-recommends',
    '--no-suggests',
    KERNEL_META_PACKAGE,
  ]);
  const versioned = /Depends:\s+(linux-image-[0-9][^\s]*)/.exec(depends.stdout)?.[1];
  if (!versioned) throw new Error(`apt-cache found no kernel package behind ${KERNEL_META_PACKAGE}`);
  // Root downloads into a directory the _apt sandbox user cannot write: run the download as root, quietly.
  await execa('apt-get', ['download', '-qq', '-o', 'APT::Sandbox::User=root', versioned], { cwd: dir });
  const deb = (await readdir(dir)).find((name) => name.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${versioned} left no .deb in ${dir}`);
  // Only the kernel and the virtio disk driver leave the package: all the modules would be hundreds of MB.
  await execa('dpkg-deb', ['--fsys-tarfile', join(dir, deb)], { cwd: dir, buffer: false }).pipe(
    'tar',
    [
      '-x',
      '--wildcards',
      './boot/vmlinuz-*',
      ...VIRTIO_DISK_MODULES.map((m) => `./lib/modules/*/kernel/drivers/*/${m}.ko`),
    ],
    { cwd: dir },
  );
  await rm(join(dir, deb));
  const vmlinuz = (await readdir(join(dir, 'boot'))).find((name) => name.startsWith('vmlinuz-'));
  if (!vmlinuz) throw new Error(`${deb} holds no /boot/vmlinuz-*`);
  return join(dir, 'boot', vmlinuz);
}

/** The modules the stand-in installer loads to see a virtio disk, in load order (the kernel has them as modules). */
export const VIRTIO_DISK_MODULES = [
  'virtio_ring',
  'virtio',
  'virtio_pci_legacy_dev',
  'virtio_pci_modern_dev',
  'virtio_pci',
  'virtio_blk',
];

/** The module files next to the kernel debianKernel() returned, in load order. */
export async function virtioDiskModules(kernel: string): Promise<{ name: string; data: Buffer }[]> {
  const root = join(kernel, '..', '..', 'lib', 'modules');
  const [version] = await readdir(root);
  if (!version) throw new Error(`no modules next to ${kernel}`);
  const found = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(dir, entry.name));
      else found.set(entry.name.replace(/\.ko$/, ''), join(dir, entry.name));
    }
  };
  await walk(join(root, version));
  return Promise.all(
    VIRTIO_DISK_MODULES.map(async (name) => {
      const path = found.get(name);
      if (!path) throw new Error(`the kernel package has no ${name}.ko`);
      return { name, data: await readFile(path) };
    }),
  );
}

export interface CpioEntry {
  name: string;
  mode: number;
  data?: Buffer;
  rdev?: [number, number];
}

/** The kernel's initramfs format: "newc" cpio, entries padded to 4 bytes, ended by TRAILER!!!. */
export function newcCpio(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const pad = (length: number) => Buffer.alloc((4 - (length % 4)) % 4);
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  [...entries, { name: 'TRAILER!!!', mode: 0 }].forEach((entry, index) => {
    const data = entry.data ?? Buffer.alloc(0);
    const name = Buffer.from(`${entry.name}\0`);
    const fields = [
      index + 1,
      entry.mode,
      0,
      0,
      1,
      0,
      data.length,
      0,
      0,
      ...(entry.rdev ?? [0, 0]),
      name.length,
      0,
    ];
    const header = Buffer.from(`070701${fields.map(hex).join('')}`);
    parts.push(header, name, pad(header.length + name.length), data, pad(data.length));
  });
  return Buffer.concat(parts);
}

export interface BootIsoOptions {
  /** The line /init writes on the serial console; omit to print nothing. */
  prints?: string;
  /** Power off after printing (default), or hang so only a timeout ends the boot. */
  afterwards?: 'poweroff' | 'hang';
}

/** Builds a bootable ISO in a fresh temp dir and returns its path. */
export async function makeBootIso(options: BootIsoOptions = {}): Promise<string> {
  requireBootIsoTools();
  const lines = [
    '#!/bin/busybox sh',
    '/bin/busybox mount -t devtmpfs dev /dev',
    ...(options.prints === undefined ? [] : [`echo '${options.prints.replace(/'/g, '')}' > /dev/ttyS0`]),
    options.afterwards === 'hang' ? 'while :; do /bin/busybox sleep 60; done' : '/bin/busybox poweroff -f',
  ];
  const dir = await makeTempDir('boot-iso');
  const iso = join(dir, 'boot.iso');
  await packIsolinuxIso({ iso, initramfs: await busyboxInitramfs(lines), volumeId: 'BOOTTEST' });
  return iso;
}

/** A gzipped initramfs: busybox, /dev/console, the given /init lines and any extra files. */
export async function busyboxInitramfs(initLines: string[], extra: CpioEntry[] = []): Promise<Buffer> {
  const initramfs = newcCpio([
    { name: '.', mode: 0o040755 },
    { name: 'bin', mode: 0o040755 },
    { name: 'bin/busybox', mode: 0o100755, data: await readFile(findTool('busybox') as string) },
    { name: 'dev', mode: 0o040755 },
    // The kernel opens /dev/console for /init before anything is mounted.
    { name: 'dev/console', mode: 0o020600, rdev: [5, 1] },
    { name: 'init', mode: 0o100755, data: Buffer.from(`${initLines.join('\n')}\n`) },
    ...extra,
  ]);
  return gzipSync(initramfs, { level: 1 });
}

/**
 * Packs the Debian kernel and `initramfs` with isolinux into `iso`, the kernel's console on the first serial port.
 * `hybrid` adds the isohybrid MBR, so the same image written raw to a hard disk boots from it.
 */
export async function packIsolinuxIso(o: {
  iso: string;
  initramfs: Buffer;
  volumeId: string;
  hybrid?: boolean;
}): Promise<void> {
  const kernel = await debianKernel();
  const tree = `${o.iso}.tree`;
  await mkdir(join(tree, 'isolinux'), { recursive: true });
  await mkdir(join(tree, 'boot'));
  await copyFile(ISOLINUX_BIN, join(tree, 'isolinux', 'isolinux.bin'));
  await copyFile(LDLINUX_C32, join(tree, 'isolinux', 'ldlinux.c32'));
  await copyFile(kernel, join(tree, 'boot', 'vmlinuz'));
  await writeFile(join(tree, 'boot', 'initrd.img'), o.initramfs);
  // panic=-1 turns a kernel panic into an immediate reboot, which QEMU's -no-reboot turns into an exit.
  const config = [
    'SERIAL 0 115200',
    'DEFAULT linux',
    'PROMPT 0',
    'TIMEOUT 0',
    'LABEL linux',
    '  KERNEL /boot/vmlinuz',
    '  APPEND initrd=/boot/initrd.img console=ttyS0,115200 panic=-1 mitigations=off',
  ];
  await writeFile(join(tree, 'isolinux', 'isolinux.cfg'), `${config.join('\n')}\n`);
  await execa('xorriso', [
    '-as',
    'mkisofs',
    '-quiet',
    '-o',
    o.iso,
    '-V',
    o.volumeId,
    ...(o.hybrid ? ['-isohybrid-mbr', ISOHYBRID_MBR] : []),
    '-b',
    'isolinux/isolinux.bin',
    '-c',
    'isolinux/boot.cat',
    '-no-emul-boot',
    '-boot-load-size',
    '4',
    '-boot-info-table',
    tree,
  ]);
  await rm(tree, { recursive: true });
}
