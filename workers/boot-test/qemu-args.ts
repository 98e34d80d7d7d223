import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

/** How the boot test runs QEMU. */
export interface BootMachine {
  /** `kvm` needs a usable /dev/kvm; `tcg` is software emulation (slow, works everywhere); `auto` picks. */
  accel: 'auto' | 'kvm' | 'tcg';
  memoryMiB: number;
  cpus: number;
}

export const KVM_DEVICE = '/dev/kvm';

/** KVM when the device exists and this process may open it read-write, else software emulation. */
export async function chooseAccel(
  wanted: BootMachine['accel'],
  kvmDevice = KVM_DEVICE,
): Promise<'kvm' | 'tcg'> {
  if (wanted !== 'auto') return wanted;
  try {
    await access(kvmDevice, constants.R_OK | constants.W_OK);
    return 'kvm';
  } catch {
    return 'tcg';
  }
}

/** What the machine boots: the ISO as a CD-ROM, a scratch disk, or both (then the CD-ROM first). */
export interface BootMedia {
  iso?: string;
  /** A qcow2 image, attached as the first virtio disk. */
  disk?: string;
}

/**
 * The QEMU argument vector: the media, no display, no network, the first serial port written to `serialLog`, no
 * monitor, and -no-reboot so a guest that reboots or panics (panic=N) ends QEMU instead of booting again.
 * QEMU splits option strings on ",", so commas in paths are doubled.
 */
export function qemuArgs(o: BootMedia & { serialLog: string; accel: 'kvm' | 'tcg' } & BootMachine): string[] {
  if (o.iso === undefined && o.disk === undefined) throw new Error('qemuArgs: nothing to boot');
  const quoteCommas = (path: string) => path.replace(/,/g, ',,');
  return [
    '-accel',
    o.accel,
    ...(o.accel === 'kvm' ? ['-cpu', 'host'] : []),
    '-m',
    String(o.memoryMiB),
    '-smp',
    String(o.cpus),
    ...(o.iso === undefined ? [] : ['-drive', `file=${quoteCommas(o.iso)},media=cdrom,readonly=on`]),
    ...(o.disk === undefined ? [] : ['-drive', `file=${quoteCommas(o.disk)},if=virtio,format=qcow2`]),
    '-boot',
    o.iso === undefined ? 'c' : 'd',
    '-display',
    'none',
    '-nic',
    'none',
    '-chardev',
    `file,id=serial0,path=${quoteCommas(o.serialLog)}`,
    '-serial',
    'chardev:serial0',
    '-monitor',
    'none',
    '-no-reboot',
  ];
}
