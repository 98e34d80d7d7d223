import { chmod, copyFile, mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { findTool } from './tools.ts';

/** Host path of a test-bed binary, or an error naming it. */
function hostBinary(name: string): string {
  const found = findTool(name);
  if (found === undefined) throw new Error(`testbed: ${name} is not installed`);
  return found;
}

/** Absolute paths of the shared libraries (and dynamic loader) `ldd` lists for a binary; [] when static. */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const result = await execa('ldd', [binary], { reject: false });
  if (result.exitCode !== 0) {
    if (/not a dynamic executable|statically linked/.test(`${result.stdout}${result.stderr}`)) return [];
    throw new Error(`ldd ${binary} failed: ${result.stderr}`);
  }
  const libs: string[] = [];
  for (const line of result.stdout.split('\n')) {
    if (/=> not found/.test(line)) throw new Error(`ldd ${binary}: ${line.trim()}`);
    const match = /(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match?.[1]) libs.push(match[1]);
  }
  return libs;
}

/** Copies a file into the rootfs at the same absolute path (symlinks on the host are followed). */
async function copyInto(
  rootfs: string,
  hostPath: string,
  targetPath = hostPath,
  mode?: number,
): Promise<void> {
  const dest = join(rootfs, targetPath);
  await mkdir(dirname(dest), { recursive: true });
  await copyFile(await realpath(hostPath), dest);
  if (mode !== undefined) await chmod(dest, mode);
}

/** Copies a (possibly dynamic) binary to `target` inside the rootfs, with every library ldd lists at its own path. */
export async function addBinary(rootfs: string, hostPath: string, target: string): Promise<void> {
  await copyInto(rootfs, hostPath, target, 0o755);
  for (const lib of await sharedLibraries(hostPath)) {
    await copyInto(rootfs, lib, lib, 0o755);
  }
}

/**
 * A minimal root filesystem: busybox with a /bin symlink per applet (sh, grep, sed, awk, sleep, ...), the usual
 * directories, and root in /etc/passwd.
 */
export async function assembleBusyboxRootfs(rootfs: string): Promise<void> {
  for (const d of [
    'bin',
    'sbin',
    'usr/bin',
    'usr/sbin',
    'etc',
    'root',
    'var/tmp',
    'proc',
    'sys',
    'dev',
    'run',
  ]) {
    await mkdir(join(rootfs, d), { recursive: true });
  }
  await mkdir(join(rootfs, 'tmp'), { recursive: true });
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await chmod(join(rootfs, 'var/tmp'), 0o1777);
  const busybox = hostBinary('busybox');
  await addBinary(rootfs, busybox, '/bin/busybox');
  const { stdout } = await execa(busybox, ['--list']);
  for (const applet of stdout.split('\n').map((s) => s.trim())) {
    if (applet === '' || applet === 'busybox' || applet.includes('/')) continue;
    await symlink('busybox', join(rootfs, 'bin', applet));
  }
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\n');
}

/** Tars a rootfs for `podman import`, owned by root. */
export async function tarRootfs(rootfs: string, tarball: string): Promise<void> {
  await execa('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-cf', tarball, '.']);
}
