import { describe, expect, it } from 'vitest';
import { toBibConfigToml } from '../../../src/domain/bib-config.ts';
import {
  collectBuildRequestErrors,
  validateBuildRequest,
} from '../../../src/domain/validate-build-request.ts';
import { buildInput, policy } from './fixtures.ts';

describe('image types in a request', () => {
  it('takes a mix of ISO and disk types', () => {
    const req = validateBuildRequest(buildInput({ type: 'iso', types: ['iso', 'qcow2', 'raw'] }), policy);
    expect(req.types).toEqual(['iso', 'qcow2', 'raw']);
  });

  it('wants the list to start with type and name each type once', () => {
    const errors = collectBuildRequestErrors(buildInput({ type: 'iso', types: ['qcow2', 'qcow2'] }), policy);
    expect(errors.map((e) => e.message)).toEqual([
      'image types: the list must start with type iso',
      'image types: qcow2 asked for twice',
    ]);
  });

  it('refuses installer settings when only disk types are asked for, and fips with any disk type', () => {
    const errors = collectBuildRequestErrors(
      buildInput({
        type: 'qcow2',
        customizations: { kickstart: 'text\n', iso: { volumeId: 'X' }, fips: true, users: [] },
      }),
      policy,
    );
    expect(errors.map((e) => e.field).sort()).toEqual([
      'customizations.fips',
      'customizations.iso.volumeId',
      'customizations.kickstart',
    ]);
    expect(errors.find((e) => e.field === 'customizations.kickstart')?.message).toContain(
      'installer settings only apply to ISO images',
    );
  });

  it('writes installer settings only into the config of an ISO run', () => {
    const c = { users: [], kickstart: 'text\n', fips: true, kernelAppend: 'quiet' };
    expect(toBibConfigToml(c, 'iso')).toContain('[customizations.installer.kickstart]');
    const disk = toBibConfigToml(c, 'disk');
    expect(disk).not.toContain('installer');
    expect(disk).not.toContain('fips');
    expect(disk).toContain('append = "quiet"');
  });
});
