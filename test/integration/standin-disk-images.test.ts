import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBibConfigToml } from '../../src/domain/bib-config.ts';
import {
  loginRegistry,
  podman,
  requireTools,
  startTestbed,
  TESTBED_TOOLS,
  type Testbed,
} from '../testbed/index.ts';
import { runStandIn, type StandInOptions } from '../testbed/run-standin.ts';

// The stand-in's disk images start with their formats' magic and it refuses what the builder refuses for them.

let tb: Testbed;
let work: string;
let runs = 0;

const run = (args: string[], opts: StandInOptions = {}) => runStandIn(tb, work, ++runs, args, opts);

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  work = await mkdtemp(join(tmpdir(), 'bootc-iso-standin-disk-'));
  tb = await startTestbed();
  await loginRegistry(tb.podman, tb.registry.host, tb.registry);
  for (const ref of [tb.builderRef, tb.sourceRef])
    await podman(tb.podman, ['pull', '--quiet', '--tls-verify=false', ref]);
});

afterAll(async () => {
  await tb?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('stand-in disk images', () => {
  it('writes every disk type of one run with its real first bytes, the manifest named for all of them', async () => {
    const types = ['qcow2', 'raw', 'ami', 'vmdk', 'vhd', 'gce'];
    const out = await run([...types.flatMap((t) => ['--type', t]), tb.sourceRef]);
    expect(out.stderr).toContain('Build complete!');
    expect(out.exitCode).toBe(0);
    await stat(join(out.outDir, 'manifest-qcow2-raw-ami-vmdk-vhd-gce.json'));
    const head = async (p: string, n: number) => (await readFile(join(out.outDir, p))).subarray(0, n);
    expect(await head('qcow2/disk.qcow2', 4)).toEqual(Buffer.from('QFI\xfb', 'latin1'));
    expect((await head('vmdk/disk.vmdk', 4)).toString()).toBe('KDMV');
    const raw = await readFile(join(out.outDir, 'image/disk.raw'));
    expect([raw[510], raw[511]]).toEqual([0x55, 0xaa]);
    const vhd = await readFile(join(out.outDir, 'vpc/disk.vhd'));
    expect(vhd.length % 512).toBe(0);
    expect(vhd.subarray(vhd.length - 512, vhd.length - 504).toString()).toBe('conectix');
    const listing = await execa('tar', ['-tzf', join(out.outDir, 'gce/image.tar.gz')]);
    expect(listing.stdout.trim()).toBe('disk.raw');
    // What the builder was given rides along: the source and the files of its top layer.
    expect(raw.toString('latin1')).toContain(tb.sourceRef);
    expect(raw.toString('latin1')).toContain('/etc/os-release');
  });

  it('refuses to mix ISO and disk types in one run, as the builder does', async () => {
    const out = await run(['--type', 'iso', '--type', 'qcow2', tb.sourceRef]);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toBe('error: cannot mix ISO/disk images in request');
  });

  it('refuses installer customizations for disk types and takes the disk ones', async () => {
    const installer = toBibConfigToml({ users: [], fips: false, kickstart: 'text\nreboot\n' }, 'iso');
    const refused = await run(['--type', 'qcow2', tb.sourceRef], {
      config: { file: 'config.toml', content: installer },
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      'error: unsupported customization for image type "qcow2": customizations.installer',
    );
    const disk = '[[customizations.filesystem]]\nmountpoint = "/var/data"\nminsize = "10 GiB"\n';
    const taken = await run(['--type', 'raw', tb.sourceRef], {
      config: { file: 'config.toml', content: disk },
    });
    expect(taken.stderr).toContain('Build complete!');
    expect(taken.exitCode).toBe(0);
    const forIso = await run(['--type', 'iso', tb.sourceRef], {
      config: { file: 'config.toml', content: disk },
    });
    expect(forIso.exitCode).toBe(1);
    expect(forIso.stderr).toContain('customizations.filesystem');
  });

  it('takes a partition table from customizations.disk and refuses what the builder refuses about partitions', async () => {
    const GiB = 1024 ** 3;
    const layout = toBibConfigToml(
      {
        users: [],
        fips: false,
        disk: {
          type: 'gpt',
          partitions: [
            { type: 'plain', minSize: GiB, mountpoint: '/boot', fsType: 'xfs' },
            {
              type: 'lvm',
              minSize: 10 * GiB,
              name: 'vg0',
              logicalVolumes: [{ name: 'root', minSize: 8 * GiB, mountpoint: '/', fsType: 'xfs' }],
            },
          ],
        },
      },
      'disk',
    );
    const taken = await run(['--type', 'qcow2', tb.sourceRef], {
      config: { file: 'config.toml', content: layout },
    });
    expect(taken.stderr).toContain('Build complete!');
    expect(taken.exitCode).toBe(0);
    const image = (await readFile(join(taken.outDir, 'qcow2/disk.qcow2'))).toString('latin1');
    expect(image).toContain('[[customizations.disk.partitions.logical_volumes]]');

    const refusals: [string, string][] = [
      [
        `${layout}\n[[customizations.filesystem]]\nmountpoint = "/"\nminsize = "10 GiB"\n`,
        'cannot combine disk and filesystem customizations',
      ],
      [
        '[[customizations.disk.partitions]]\ntype = "lvm"\nminsize = 1\n[[customizations.disk.partitions.logical_volumes]]\nminsize = 1\nmountpoint = "/"\nfs_type = "xfs"\n' +
          '[[customizations.disk.partitions]]\ntype = "btrfs"\nminsize = 1\n[[customizations.disk.partitions.subvolumes]]\nname = "d"\nmountpoint = "/var/d"\n',
        'btrfs and lvm partitioning cannot be combined',
      ],
      [
        '[[customizations.disk.partitions]]\nminsize = 1\nmountpoint = "/var/d"\nfs_type = "ntfs"\n',
        'unknown or invalid filesystem type (fs_type): ntfs',
      ],
      ['[[customizations.filesystem]]\nmountpoint = "/var"\nminsize = 1\n', 'path "/var" is not allowed'],
      [
        '[[customizations.filesystem]]\nmountpoint = "/opt/data"\nminsize = 1\n',
        'path "/opt/data" is not allowed',
      ],
    ];
    for (const [content, message] of refusals) {
      const out = await run(['--type', 'raw', tb.sourceRef], { config: { file: 'config.toml', content } });
      expect(out.exitCode, message).toBe(1);
      expect(out.stderr).toContain(message);
    }
    // With a btrfs root only / and /boot can be sized.
    const btrfs = await run(['--type', 'raw', '--rootfs', 'btrfs', tb.sourceRef], {
      config: {
        file: 'config.toml',
        content: '[[customizations.filesystem]]\nmountpoint = "/var/data"\nminsize = 1\n',
      },
    });
    expect(btrfs.exitCode).toBe(1);
    expect(btrfs.stderr).toContain('path "/var/data" is not allowed');
  });
});
