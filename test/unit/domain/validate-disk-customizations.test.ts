import { describe, expect, it } from 'vitest';
import { parseBibConfigToml, toBibConfigToml } from '../../../src/domain/bib-config.ts';
import {
  collectBuildRequestErrors,
  validateBuildRequest,
} from '../../../src/domain/validate-build-request.ts';
import { buildInput, policy } from './fixtures.ts';

const disk = {
  users: [],
  fips: false,
  filesystems: [{ mountpoint: '/var/data', minSize: 10 * 1024 ** 3 }],
  directories: [{ path: '/etc/app', mode: '0750' }],
  files: [{ path: '/etc/app/app.conf', data: 'a = "b"\n', mode: '0640' }],
};

describe('disk customizations', () => {
  it('are taken with a disk type and written into the disk run only', () => {
    const req = validateBuildRequest(
      buildInput({ type: 'iso', types: ['iso', 'qcow2'], customizations: disk }),
      policy,
    );
    const toml = toBibConfigToml(req.customizations, 'disk');
    expect(toml).toContain('[[customizations.filesystem]]');
    expect(toml).toContain('mountpoint = "/var/data"');
    expect(toml).toContain('[[customizations.files]]');
    expect(toBibConfigToml(req.customizations, 'iso')).not.toContain('filesystem');
    // Read back from a config file the CLI is given.
    expect(parseBibConfigToml(toml)).toMatchObject({ filesystems: disk.filesystems, files: disk.files });
  });

  it('are refused without a disk type, each naming its field', () => {
    const errors = collectBuildRequestErrors(buildInput({ type: 'iso', customizations: disk }), policy);
    expect(errors.map((e) => e.field)).toEqual([
      'customizations.filesystems',
      'customizations.directories',
      'customizations.files',
    ]);
    expect(errors[0]?.message).toContain('only disk images take partitions');
  });

  it('want clean paths the system keeps, octal modes and one partition per mountpoint', () => {
    const errors = collectBuildRequestErrors(
      buildInput({
        type: 'raw',
        customizations: {
          users: [],
          fips: false,
          filesystems: [
            { mountpoint: '/var/../etc', minSize: 1 },
            { mountpoint: '/usr/local', minSize: 1 },
            { mountpoint: '/var/srv', minSize: 1 },
            { mountpoint: '/var/lib/data', minSize: 1 },
            { mountpoint: '/var/lib/data', minSize: 2 },
          ],
          files: [{ path: '/opt/x', data: '' }],
          directories: [{ path: '/etc/x', mode: 'rwx' }],
        },
      }),
      policy,
    );
    expect(errors.map((e) => e.message)).toEqual([
      'filesystem 1: "/var/../etc" is not a clean absolute path (like /var/data)',
      'filesystem 2: /usr/local cannot be a partition: the builder takes / and /boot (sizes) and new partitions under /var/ only',
      'filesystem 3: /var/srv cannot be a partition: /var/srv is a symlink on a bootc system',
      'filesystem 5: /var/lib/data is listed twice',
      'directory 1: mode "rwx" is not octal like 0644',
      'file 1: /opt/x is not under /etc, /var or /root, the only places a bootc system keeps',
    ]);
  });

  it('take / and /boot only with a btrfs root, and never /var itself', () => {
    const fs = (mountpoint: string) => ({ mountpoint, minSize: 1 });
    const errors = collectBuildRequestErrors(
      buildInput({
        type: 'qcow2',
        rootfs: 'btrfs',
        customizations: { users: [], fips: false, filesystems: [fs('/'), fs('/boot'), fs('/var/data')] },
      }),
      policy,
    );
    expect(errors.map((e) => e.message)).toEqual([
      'filesystem 3: /var/data: with a btrfs root only / and /boot can be sized; use customizations.disk for more partitions',
    ]);
    const plain = collectBuildRequestErrors(
      buildInput({ type: 'qcow2', customizations: { users: [], fips: false, filesystems: [fs('/var')] } }),
      policy,
    );
    expect(plain[0]?.message).toContain('/var cannot be a partition');
  });
});
