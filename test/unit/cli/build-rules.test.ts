import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBuildRequestInput } from '../../../src/cli/build-command.ts';
import { BUILD_USAGE, parseBuildArgs } from '../../../src/cli/parse-build-args.ts';
import { type Config, loadConfig } from '../../../src/config/load-config.ts';
import { collectBuildRequestErrors } from '../../../src/domain/validate-build-request.ts';
import { ED25519_KEY, SHA512_HASH, YESCRYPT_HASH } from '../domain/fixtures.ts';

/** The builder rules as the CLI meets them: flags → request → the same validator the worker runs. */

const YAML = `builders:
  old: { image: "quay.io/centos-bootc/bootc-image-builder:9.7" }
  new: { image: "quay.io/centos-bootc/bootc-image-builder:latest", features: [iso-customizations, bootc-installer, yescrypt] }
defaultBuilder: old
presets:
  demo: { image: "quay.io/centos-bootc/centos-bootc:stream9", builder: old }
  disks: { image: "quay.io/centos-bootc/centos-bootc:stream9", builder: old, types: [qcow2, raw], packages: [tmux] }
allowedRegistries: [quay.io]
`;

let dir: string;
let kickstart: string;
const config: Config = loadConfig(
  { BOOTC_ISO_CONFIG: '/cli-rules/bootc-iso.yaml' },
  { role: 'cli', readFile: () => YAML },
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-rules-'));
  kickstart = join(dir, 'ks.cfg');
  await writeFile(kickstart, 'text\nreboot\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function errorsOf(...args: string[]) {
  const input = await toBuildRequestInput(
    parseBuildArgs(['--preset', 'demo', '--arch', 'x86_64', ...args]),
    config,
  );
  return collectBuildRequestErrors(input, config);
}

describe('bootc-iso build and the builder rules', () => {
  it("applies a preset's types and packages unless flags name their own", async () => {
    const input = await toBuildRequestInput(parseBuildArgs(['--preset', 'disks']), config);
    expect(input).toMatchObject({ type: 'qcow2', types: ['qcow2', 'raw'] });
    expect(input.containerfile).toContain('RUN dnf install -y tmux');
    const typed = await toBuildRequestInput(parseBuildArgs(['--preset', 'disks', '--type', 'vhd']), config);
    expect(typed.type).toBe('vhd');
    expect(typed.types).toBeUndefined();
  });

  it('takes a partition table from --config for a disk type and refuses it for an ISO', async () => {
    const file = join(dir, 'disk.toml');
    await writeFile(
      file,
      '[[customizations.disk.partitions]]\nminsize = "1 GiB"\nmountpoint = "/boot"\nfs_type = "xfs"\n' +
        '[[customizations.disk.partitions]]\ntype = "lvm"\nminsize = "9 GiB"\n' +
        '[[customizations.disk.partitions.logical_volumes]]\nminsize = "8 GiB"\nmountpoint = "/"\nfs_type = "xfs"\n',
    );
    expect(await errorsOf('--type', 'qcow2', '--config', file)).toEqual([]);
    const input = await toBuildRequestInput(
      parseBuildArgs(['--preset', 'demo', '--type', 'raw', '--config', file]),
      config,
    );
    expect(input.customizations?.disk?.partitions?.map((p) => p.type)).toEqual(['plain', 'lvm']);
    expect((await errorsOf('--config', file)).map((e) => e.field)).toEqual(['customizations.disk']);
  });

  it('reads builders.<name>.features from the config file', () => {
    expect(config.builders.new?.features).toEqual(['iso-customizations', 'bootc-installer', 'yescrypt']);
    expect(config.builders.old?.features).toBeUndefined();
  });

  it('refuses --kernel-arg and --rootfs next to --kickstart, each naming what the builder drops', async () => {
    const errors = await errorsOf('--kickstart', kickstart, '--kernel-arg', 'quiet', '--rootfs', 'xfs');
    expect(errors.map((e) => e.field)).toEqual([
      'customizations.kernelAppend',
      'customizations.kickstart',
      'rootfs',
      'customizations.kickstart',
    ]);
    expect(errors[0]?.message).toContain('drops the kernel arguments when a kickstart is given');
    expect(errors[2]?.message).toContain('drops the root filesystem when a kickstart is given');
  });

  it('refuses --volume-id and --type bootc-installer on a builder that declares neither, and takes them on one that does', async () => {
    const old = await errorsOf(
      '--volume-id',
      'MYOS',
      '--type',
      'bootc-installer',
      '--installer-payload',
      'quay.io/a/b:1',
    );
    expect(old.map((e) => e.field).sort()).toEqual(['customizations.iso.volumeId', 'type']);
    expect(old.find((e) => e.field === 'type')?.message).toContain('builders.old.features');
    expect(await errorsOf('--builder', 'new', '--volume-id', 'MYOS')).toEqual([]);
  });

  it('refuses a yescrypt hash unless the builder declares yescrypt, and a root password always', async () => {
    const hashed = ['--user', 'admin', '--password-hash', YESCRYPT_HASH];
    expect((await errorsOf(...hashed))[0]?.message).toContain(
      'yescrypt ($y$) is not kept by bootc-image-builder',
    );
    expect(await errorsOf('--builder', 'new', ...hashed)).toEqual([]);
    const root = await errorsOf('--user', 'root', '--ssh-key', ED25519_KEY, '--password-hash', SHA512_HASH);
    expect(root.map((e) => e.field)).toEqual(['customizations.users[0].passwordHash']);
    expect(await errorsOf('--user', 'root', '--ssh-key', ED25519_KEY)).toEqual([]);
  });

  it('refuses a kernel argument with a single quote', async () => {
    const errors = await errorsOf('--kernel-arg', "rd.info='x'");
    expect(errors[0]?.message).toContain("remove the quotes (')");
  });

  it('says in the help that a default ISO wipes the first disk, and which hashes work', () => {
    expect(BUILD_USAGE).toContain('install unattended and WIPE THE FIRST DISK');
    expect(BUILD_USAGE).toContain('$6$, $5$ or $2b$');
    expect(BUILD_USAGE).not.toMatch(/publisher|application/i);
  });
});
