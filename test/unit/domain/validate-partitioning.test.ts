import { describe, expect, it } from 'vitest';
import { parseBibConfigToml, toBibConfigToml } from '../../../src/domain/bib-config.ts';
import type { DiskCustomization } from '../../../src/domain/build-request.ts';
import {
  collectBuildRequestErrors,
  validateBuildRequest,
} from '../../../src/domain/validate-build-request.ts';
import { buildInput, policy } from './fixtures.ts';

const GiB = 1024 ** 3;

const lvmLayout: DiskCustomization = {
  type: 'gpt',
  minSize: 20 * GiB,
  partitions: [
    { type: 'plain', minSize: GiB, mountpoint: '/boot', fsType: 'xfs' },
    {
      type: 'lvm',
      minSize: 15 * GiB,
      name: 'vg0',
      logicalVolumes: [
        { name: 'root', minSize: 10 * GiB, mountpoint: '/', fsType: 'xfs' },
        { name: 'data', minSize: 4 * GiB, mountpoint: '/var/data', fsType: 'ext4' },
      ],
    },
  ],
};

const errorsFor = (disk: unknown, more: Record<string, unknown> = {}) =>
  collectBuildRequestErrors(
    // Not typed: some cases are shapes the request schema refuses.
    { ...buildInput({ type: 'raw' }), customizations: { users: [], fips: false, disk, ...more } },
    policy,
  );

describe('customizations.disk (the whole partition table)', () => {
  it('is taken for disk images and written by the TOML library into the disk run only', () => {
    const req = validateBuildRequest(
      buildInput({
        type: 'iso',
        types: ['iso', 'qcow2'],
        customizations: { users: [], fips: false, disk: lvmLayout },
      }),
      policy,
    );
    const toml = toBibConfigToml(req.customizations, 'disk');
    expect(toml).toBe(
      [
        '[customizations.disk]',
        'type = "gpt"',
        `minsize = ${20 * GiB}`,
        '',
        '[[customizations.disk.partitions]]',
        'type = "plain"',
        `minsize = ${GiB}`,
        'mountpoint = "/boot"',
        'fs_type = "xfs"',
        '',
        '[[customizations.disk.partitions]]',
        'type = "lvm"',
        `minsize = ${15 * GiB}`,
        'name = "vg0"',
        '',
        '[[customizations.disk.partitions.logical_volumes]]',
        'name = "root"',
        `minsize = ${10 * GiB}`,
        'mountpoint = "/"',
        'fs_type = "xfs"',
        '',
        '[[customizations.disk.partitions.logical_volumes]]',
        'name = "data"',
        `minsize = ${4 * GiB}`,
        'mountpoint = "/var/data"',
        'fs_type = "ext4"',
        '',
      ].join('\n'),
    );
    expect(toBibConfigToml(req.customizations, 'iso')).not.toContain('disk');
    expect(parseBibConfigToml(toml).disk).toEqual(lvmLayout);
  });

  it('reads a hand-written file with sizes as text, a default partition type and btrfs subvolumes', () => {
    const c = parseBibConfigToml(
      [
        '[customizations.disk]',
        'minsize = "20 GiB"',
        '[[customizations.disk.partitions]]',
        'minsize = "1 GiB"',
        'mountpoint = "/boot"',
        'fs_type = "ext4"',
        '[[customizations.disk.partitions]]',
        'type = "btrfs"',
        'minsize = "10 GiB"',
        '[[customizations.disk.partitions.subvolumes]]',
        'name = "root"',
        'mountpoint = "/"',
      ].join('\n'),
    );
    expect(c.disk).toEqual({
      minSize: 20 * GiB,
      partitions: [
        { type: 'plain', minSize: GiB, mountpoint: '/boot', fsType: 'ext4' },
        { type: 'btrfs', minSize: 10 * GiB, subvolumes: [{ name: 'root', mountpoint: '/' }] },
      ],
    });
  });

  it('refuses keys that do not belong to the partition type, and sizes that are not sizes', () => {
    expect(() =>
      parseBibConfigToml(
        '[[customizations.disk.partitions]]\nminsize = 1\nmountpoint = "/"\nfs_type = "xfs"\nname = "x"\n',
      ),
    ).toThrow(/customizations\.disk\.partitions/);
    expect(() =>
      parseBibConfigToml(
        '[[customizations.disk.partitions]]\nminsize = "ten gigs"\nmountpoint = "/"\nfs_type = "xfs"\n',
      ),
    ).toThrow('customizations.disk.partitions[0].minsize "ten gigs" is not a size');
    expect(() => parseBibConfigToml('[customizations.disk]\nstart_offset = 1\n')).toThrow(
      'customizations.disk.start_offset is not accepted',
    );
  });

  it('is refused for ISOs, and together with customizations.filesystems as the builder refuses it', () => {
    const iso = collectBuildRequestErrors(
      buildInput({ type: 'iso', customizations: { users: [], fips: false, disk: lvmLayout } }),
      policy,
    );
    expect(iso).toEqual([
      {
        field: 'customizations.disk',
        message: expect.stringContaining('only disk images take partitions'),
      },
    ]);
    const both = errorsFor(lvmLayout, { filesystems: [{ mountpoint: '/', minSize: GiB }] });
    expect(both.map((e) => e.message)).toEqual([
      'customizations.disk and customizations.filesystems cannot be combined (the builder refuses it): size / and /boot as partitions of customizations.disk instead',
    ]);
  });

  it('follows the builder’s partition rules, naming the partition each time', () => {
    const plain = (mountpoint: string, fsType: 'ext4' | 'xfs' | 'vfat' = 'xfs') => ({
      type: 'plain' as const,
      minSize: GiB,
      mountpoint,
      fsType,
    });
    const errors = errorsFor({
      type: 'dos',
      partitions: [
        plain('/boot', 'vfat'),
        plain('/boot/efi', 'xfs'),
        plain('/usr'),
        plain('/var/data'),
        plain('/var/data/'),
        { type: 'lvm', minSize: GiB, logicalVolumes: [{ minSize: GiB, mountpoint: '/boot', fsType: 'xfs' }] },
        {
          type: 'btrfs',
          minSize: GiB,
          subvolumes: [
            { name: 'a', mountpoint: '/srv' },
            { name: 'a', mountpoint: '/srv' },
          ],
        },
      ],
    });
    expect(errors.map((e) => `${e.field}: ${e.message}`)).toEqual([
      'customizations.disk: a dos partition table holds up to 4 partitions, not 7; use gpt',
      'customizations.disk: btrfs and lvm partitions cannot be combined',
      'customizations.disk.partitions[0].mountpoint: partition 1: /boot must be ext4 or xfs, not vfat',
      'customizations.disk.partitions[1].mountpoint: partition 2: /boot/efi must be vfat, not xfs',
      'customizations.disk.partitions[2].mountpoint: partition 3: /usr belongs to the bootc image and cannot be a partition',
      'customizations.disk.partitions[4].mountpoint: partition 5: "/var/data/" is not a clean absolute path (like /var/data)',
      'customizations.disk.partitions[5].logicalVolumes[0].mountpoint: partition 6, logical volume 1: /boot must be a plain partition, not a logical volume',
      'customizations.disk.partitions[6].subvolumes[1].mountpoint: partition 7, subvolume 2: /srv is mounted twice',
      'customizations.disk.partitions[6]: partition 7: the name a is used twice',
    ]);
  });

  it('refuses a second volume group or btrfs volume, and unknown filesystems by the request shape', () => {
    const vg = {
      type: 'lvm',
      minSize: GiB,
      logicalVolumes: [{ minSize: GiB, mountpoint: '/var/a', fsType: 'xfs' }],
    };
    const vg2 = { ...vg, logicalVolumes: [{ minSize: GiB, mountpoint: '/var/b', fsType: 'xfs' }] };
    expect(errorsFor({ partitions: [vg, vg2] }).map((e) => e.message)).toEqual([
      'only one LVM volume group is supported',
    ]);
    const ntfs = errorsFor({
      partitions: [{ type: 'plain', minSize: GiB, mountpoint: '/var/a', fsType: 'ntfs' }],
    });
    expect(ntfs[0]?.field).toBe('customizations.disk.partitions[0].fsType');
  });
});
