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
    const disk = '[[customizations.filesystem]]\nmountpoint = "/var"\nminsize = "10 GiB"\n';
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
});
