import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { AppError } from '../../../src/domain/errors.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function loadFixture(name: string, env: Record<string, string> = {}) {
  return loadConfig({ BOOTC_ISO_CONFIG: fixture(name), ...env });
}

function fixtureProblems(name: string, env: Record<string, string> = {}): string[] {
  try {
    loadFixture(name, env);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONFIG_INVALID');
    return (error as AppError).message.split('\n');
  }
  throw new Error(`expected ${name} to be rejected`);
}

// `local` holds directories resolved against the working directory, like configPath.
const withoutSource = <T extends { configPath: string; configFileLoaded: boolean; local: unknown }>(
  config: T,
) => {
  const { configPath: _path, configFileLoaded: _loaded, local: _local, ...rest } = config;
  return JSON.parse(JSON.stringify(rest));
};

describe('config fixtures', () => {
  it('loads basic.yml with substituted credentials, an insecure registry and caches', () => {
    const config = loadFixture('basic.yml', { RH_REGISTRY_USER: 'rh-user', RH_REGISTRY_PASSWORD: 'rh-pass' });
    expect(config.registries).toEqual({
      'registry.redhat.io': { username: 'rh-user', password: 'rh-pass', insecure: false },
      'registry.acme.example:5000': {
        username: 'svc-bootc',
        passwordFile: '/etc/bootc-iso/acme.pass',
        insecure: true,
      },
    });
    expect(config.presets['acme-base']).toEqual({
      image: 'registry.acme.example:5000/platform/acme-bootc:stable',
      builder: 'pinned',
      description: '',
    });
    expect(config.worker).toMatchObject({
      concurrency: 2,
      storeCache: '/srv/bootc-iso/cache/store',
      rpmmdCache: '/srv/bootc-iso/cache/rpmmd',
      podman: '/usr/bin/podman',
      timeouts: { buildSeconds: 7200, pullSeconds: 1800 },
    });
    expect(config.configFileLoaded).toBe(true);
  });

  it('gives empty.yml the built-in defaults', () => {
    const config = loadFixture('empty.yml');
    const defaults = loadConfig({}, { readFile: () => '' });
    expect(withoutSource(config)).toEqual(withoutSource(defaults));
  });

  it('rejects malformed.yml with line and column', () => {
    const lines = fixtureProblems('malformed.yml');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/malformed\.yml:\d+:\d+: .*; fix the YAML syntax$/);
    expect(lines.join('\n')).toContain('Tabs are not allowed as indentation');
  });

  it('rejects missing-var.yml naming each unset variable and its YAML path', () => {
    const lines = fixtureProblems('missing-var.yml');
    expect(lines).toEqual([
      expect.stringMatching(
        /missing-var\.yml: registries\["registry.redhat.io"\]\.username: \$\{RH_REGISTRY_USER\} refers to/,
      ),
      expect.stringMatching(
        /missing-var\.yml: registries\["registry.redhat.io"\]\.password: \$\{RH_REGISTRY_PASSWORD\} refers/,
      ),
      expect.stringMatching(/missing-var\.yml: worker\.workDir: \$\{BOOTC_ISO_WORK_DIR\} refers to/),
    ]);
  });

  it('lets the bot load missing-var.yml once the worker-only variables are the only ones missing', () => {
    const config = loadConfig(
      {
        BOOTC_ISO_CONFIG: fixture('missing-var.yml'),
        BOOTC_ISO_WORK_DIR: '/srv',
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'signing-secret',
      },
      { role: 'bot' },
    );
    expect(config.registries).toEqual({});
    expect(config.worker.workDir).toBe('/srv/work');
  });

  it('rejects unknown-keys.yml with a suggestion for each typo', () => {
    const lines = fixtureProblems('unknown-keys.yml');
    expect(lines).toHaveLength(4);
    expect(lines.join('\n')).toContain('(did you mean "builders"?)');
    expect(lines.join('\n')).toContain('(did you mean "description"?)');
    expect(lines.join('\n')).toContain('(did you mean "concurrency"?)');
    expect(lines.join('\n')).toContain('has an unknown field "buildSecs"');
  });

  it('rejects evil.yml quickly, reporting the code-execution tags, without side effects', () => {
    const started = Date.now();
    const lines = fixtureProblems('evil.yml');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lines.join('\n')).toContain('Unresolved tag: tag:yaml.org,2002:js/function');
    expect(lines.join('\n')).toContain('Unresolved tag: tag:yaml.org,2002:binary');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects the alias bomb in evil-aliases.yml instead of expanding it', () => {
    const started = Date.now();
    expect(fixtureProblems('evil-aliases.yml')).toEqual([
      expect.stringMatching(/evil-aliases\.yml: could not be parsed \(Excessive alias count/),
    ]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects every exotic tag in evil-tags.yml', () => {
    const lines = fixtureProblems('evil-tags.yml');
    expect(lines.map((line) => /tag:yaml.org,2002:(\S+);/.exec(line)?.[1])).toEqual([
      'js/function',
      'set',
      'binary',
    ]);
  });

  it('rejects the prototype keys and the infinite number in evil-proto.yml without polluting Object.prototype', () => {
    const lines = fixtureProblems('evil-proto.yml');
    expect(lines).toEqual([
      expect.stringMatching(/: __proto__: is a reserved key name; rename or remove it$/),
      expect.stringMatching(/: builders.constructor: is a reserved key name/),
      expect.stringMatching(/: presets.rhel9.__proto__: is a reserved key name/),
      expect.stringMatching(/: worker.concurrency: Infinity is not a finite number/),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('rejects a huge value without echoing all of it', () => {
    const huge = 'x'.repeat(100_000);
    const error = (() => {
      try {
        loadConfig(
          { BOOTC_ISO_CONFIG: '/c.yaml' },
          {
            readFile: () =>
              `presets:\n  p: { image: quay.io/a/b:1, builder: centos, description: "${huge}" }\n`,
          },
        );
      } catch (e) {
        return e as AppError;
      }
      throw new Error('expected a throw');
    })();
    expect(error.message).toBe('/c.yaml: presets.p.description: is longer than 200 characters; shorten it');
  });
});

describe('shipped config files', () => {
  it('keeps config/bootc-iso.yaml identical to the built-in defaults', () => {
    const fromFile = loadConfig({}, { cwd: repoRoot });
    expect(fromFile.configFileLoaded).toBe(true);
    const builtIn = loadConfig({}, { cwd: '/nonexistent-dir-for-test' });
    expect(builtIn.configFileLoaded).toBe(false);
    expect(withoutSource(fromFile)).toEqual(withoutSource(builtIn));
  });

  it('keeps config/bootc-iso.example.yaml loading to the same values as the defaults', () => {
    const example = loadConfig({ BOOTC_ISO_CONFIG: 'config/bootc-iso.example.yaml' }, { cwd: repoRoot });
    const builtIn = loadConfig({}, { cwd: '/nonexistent-dir-for-test' });
    expect(withoutSource(example)).toEqual(withoutSource(builtIn));
  });

  it('documents every field of the schema in the example file', () => {
    const example = readFileSync(`${repoRoot}config/bootc-iso.example.yaml`, 'utf8');
    for (const field of [
      'builders:',
      'defaultBuilder:',
      'presets:',
      'allowedRegistries:',
      'registries:',
      'username:',
      'password:',
      'passwordFile:',
      'insecure:',
      'worker:',
      'concurrency:',
      'workDir:',
      'containerStorage:',
      'storeCache:',
      'rpmmdCache:',
      'minFreeDiskGiB:',
      'podman:',
      'loginSeconds:',
      'pullSeconds:',
      'buildSeconds:',
      'uploadSeconds:',
      'attempts:',
      'backoffSeconds:',
      'imagePrune:',
      'keepDays:',
    ]) {
      expect(example).toContain(field);
    }
  });
});
