import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { AppError } from '../../../src/domain/errors.ts';
import { CONFIG_FILE, loadYaml, yamlProblems } from './load-helpers.ts';

const FILE = CONFIG_FILE;
const load = loadYaml;
const problems = yamlProblems;

describe('config file reading', () => {
  it('rejects a top level that is not a mapping', () => {
    expect(problems('- builders\n')).toEqual([
      `${FILE}: the top level is not a mapping; write "key: value" fields`,
    ]);
  });

  it('rejects a file over 1 MiB before parsing it', () => {
    expect(problems(`description: "${'x'.repeat(1024 * 1024)}"\n`)).toEqual([
      `${FILE}: is larger than 1048576 bytes; this is not a config file`,
    ]);
  });

  it('reports a file that cannot be read', () => {
    const error = (() => {
      try {
        loadConfig(
          { BOOTC_ISO_CONFIG: '/etc/bootc-iso.yaml' },
          {
            readFile: () => {
              throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
            },
          },
        );
      } catch (e) {
        return e as AppError;
      }
      throw new Error('expected a throw');
    })();
    expect(error.message).toBe(
      '/etc/bootc-iso.yaml: could not be read (EACCES); check the path and permissions',
    );
  });

  it('rejects duplicate keys', () => {
    expect(problems('defaultBuilder: rhel9\ndefaultBuilder: centos\n')).toEqual([
      `${FILE}:2:1: Map keys must be unique; fix the YAML syntax`,
    ]);
  });

  it('supports anchors, aliases and << merge keys for repeated settings', () => {
    const config = load(
      'presets:\n  base: &base { image: quay.io/acme/os:1, builder: centos, description: Acme }\n' +
        '  next: { <<: *base, image: quay.io/acme/os:2 }\n',
    );
    expect(config.presets.next).toEqual({
      image: 'quay.io/acme/os:2',
      builder: 'centos',
      description: 'Acme',
    });
  });
});

describe('config file roles', () => {
  const registriesYaml = `registries:\n  quay.io: { username: "\${QUAY_USER}", passwordFile: relative }\n  Bad Key: 3\n`;

  it('makes the bot ignore the registries section entirely: no substitution, no validation', () => {
    const config = load(registriesYaml, { role: 'bot' });
    expect(config.registries).toEqual({});
  });

  it('drops valid registries for the bot too, so it never holds registry credentials', () => {
    const config = load('registries:\n  quay.io: { username: u, password: p }\n', { role: 'bot' });
    expect(config.registries).toEqual({});
  });

  it.each(['worker', 'cli'] as const)('validates registries for the %s role', (role) => {
    const lines = problems(registriesYaml, { role });
    expect(lines.some((line) => line.includes('QUAY_USER'))).toBe(true);
    expect(lines.some((line) => line.includes('registries["Bad Key"]'))).toBe(true);
  });

  it('validates registries when no role is given', () => {
    expect(problems(registriesYaml).length).toBeGreaterThan(0);
  });
});
