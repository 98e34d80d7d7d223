import type { BuildRequest, DiskPartition } from './build-request.ts';
import { pathProblem, under } from './disk-paths.ts';
import type { AppError } from './errors.ts';
import { invalidRequest } from './text-rules.ts';

type Report = (error: AppError) => void;

const FIELD = 'customizations.disk';
/** Managed by the bootc image itself: a partition there would hide what the image ships and updates. */
const IMAGE_OWNED = ['/usr', '/sysroot', '/ostree'];

interface Mount {
  mountpoint: string;
  fsType?: string;
  /** "partition 2", "partition 2, logical volume 1". */
  what: string;
  field: string;
  kind: DiskPartition['type'];
}

function mountsOf(partitions: readonly DiskPartition[]): Mount[] {
  return partitions.flatMap((p, i): Mount[] => {
    const what = `partition ${i + 1}`;
    const field = `${FIELD}.partitions[${i}]`;
    if (p.type === 'plain')
      return [{ mountpoint: p.mountpoint, fsType: p.fsType, what, field, kind: p.type }];
    if (p.type === 'lvm')
      return p.logicalVolumes.map((lv, j) => ({
        mountpoint: lv.mountpoint,
        fsType: lv.fsType,
        what: `${what}, logical volume ${j + 1}`,
        field: `${field}.logicalVolumes[${j}]`,
        kind: p.type,
      }));
    return p.subvolumes.map((sv, j) => ({
      mountpoint: sv.mountpoint,
      what: `${what}, subvolume ${j + 1}`,
      field: `${field}.subvolumes[${j}]`,
      kind: p.type,
    }));
  });
}

function mountProblem(m: Mount): string | undefined {
  const bad = pathProblem(m.mountpoint, m.what);
  if (bad) return bad;
  if (IMAGE_OWNED.some((root) => under(m.mountpoint, root)))
    return `${m.what}: ${m.mountpoint} belongs to the bootc image and cannot be a partition`;
  if (m.kind === 'lvm' && (m.mountpoint === '/boot' || m.mountpoint === '/boot/efi'))
    return `${m.what}: ${m.mountpoint} must be a plain partition, not a logical volume`;
  if (m.kind === 'btrfs' && m.mountpoint === '/boot/efi')
    return `${m.what}: /boot/efi must be a plain partition, not a btrfs subvolume`;
  if (m.mountpoint === '/boot' && m.fsType !== undefined && m.fsType !== 'ext4' && m.fsType !== 'xfs')
    return `${m.what}: /boot must be ext4 or xfs, not ${m.fsType}`;
  if (m.mountpoint === '/boot/efi' && m.fsType !== undefined && m.fsType !== 'vfat')
    return `${m.what}: /boot/efi must be vfat, not ${m.fsType}`;
  return undefined;
}

/** Names must differ within their kind: volume groups, logical volumes of one group, subvolumes of one volume. */
function duplicateNames(partitions: readonly DiskPartition[], report: Report): void {
  const groups = new Set<string>();
  for (const [i, p] of partitions.entries()) {
    const field = `${FIELD}.partitions[${i}]`;
    const names =
      p.type === 'lvm'
        ? p.logicalVolumes.map((lv) => lv.name)
        : p.type === 'btrfs'
          ? p.subvolumes.map((s) => s.name)
          : [];
    const seen = new Set<string>();
    for (const name of names) {
      if (name === undefined || name === '') continue;
      if (seen.has(name)) report(invalidRequest(field, `partition ${i + 1}: the name ${name} is used twice`));
      seen.add(name);
    }
    if (p.type === 'btrfs' && p.subvolumes.some((s) => s.name.trim() === ''))
      report(invalidRequest(field, `partition ${i + 1}: every btrfs subvolume needs a name`));
    if (p.type === 'lvm' && p.name) {
      if (groups.has(p.name))
        report(invalidRequest(field, `partition ${i + 1}: volume group ${p.name} is listed twice`));
      groups.add(p.name);
    }
  }
}

/**
 * `[customizations.disk]`: the partition table the builder makes instead of the image's. The rules are the
 * builder's own (it refuses each of these when it generates the manifest, after pulling), plus the image-owned
 * paths of a bootc system.
 */
export function checkPartitioning(req: BuildRequest, report: Report): void {
  const disk = req.customizations.disk;
  if (!disk) return;
  if ((req.customizations.filesystems?.length ?? 0) > 0)
    report(
      invalidRequest(
        FIELD,
        'customizations.disk and customizations.filesystems cannot be combined (the builder refuses it): size / and /boot as partitions of customizations.disk instead',
      ),
    );
  const parts = disk.partitions;
  if (disk.type === 'dos' && parts.length > 4)
    report(
      invalidRequest(FIELD, `a dos partition table holds up to 4 partitions, not ${parts.length}; use gpt`),
    );
  const lvm = parts.filter((p) => p.type === 'lvm').length;
  const btrfs = parts.filter((p) => p.type === 'btrfs').length;
  if (lvm > 0 && btrfs > 0) report(invalidRequest(FIELD, 'btrfs and lvm partitions cannot be combined'));
  if (lvm > 1) report(invalidRequest(FIELD, 'only one LVM volume group is supported'));
  if (btrfs > 1) report(invalidRequest(FIELD, 'only one btrfs volume is supported'));
  const seen = new Set<string>();
  for (const m of mountsOf(parts)) {
    const bad = mountProblem(m);
    if (bad) report(invalidRequest(`${m.field}.mountpoint`, bad));
    else if (seen.has(m.mountpoint))
      report(invalidRequest(`${m.field}.mountpoint`, `${m.what}: ${m.mountpoint} is mounted twice`));
    seen.add(m.mountpoint);
  }
  duplicateNames(parts, report);
}
