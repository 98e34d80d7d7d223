import { describe, expect, it } from 'vitest';
import { type ConfigRole, loadConfig } from '../../../src/config/load-config.ts';
import { AppError } from '../../../src/domain/errors.ts';

const FILE = 'config/bootc-iso.yaml';
const BOT_ENV = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'signing-secret' };

function load(yaml: string, opts: { env?: Record<string, string>; role?: ConfigRole } = {}) {
  return loadConfig(
    { BOOTC_ISO_CONFIG: FILE, ...(opts.role === 'bot' ? BOT_ENV : {}), ...opts.env },
    { cwd: '/srv/app', readFile: () => yaml, ...(opts.role ? { role: opts.role } : {}) },
  );
}

function problems(yaml: string, opts: { env?: Record<string, string>; role?: ConfigRole } = {}): string[] {
  try {
    load(yaml, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONFIG_INVALID');
    return (error as AppError).message.split('\n');
  }
  throw new Error('expected loadConfig to throw CONFIG_INVALID');
}

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
