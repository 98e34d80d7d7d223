import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { substituteEnv, substituteString } from '../../../src/config/substitute-env.ts';
import { AppError } from '../../../src/domain/errors.ts';

const FILE = '/etc/bootc-iso/config.yaml';

function load(yaml: string, env: Record<string, string> = {}) {
  return loadConfig({ BOOTC_ISO_CONFIG: FILE, ...env }, { readFile: () => yaml });
}

function problems(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    load(yaml, env);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).message.split('\n');
  }
  throw new Error('expected loadConfig to throw CONFIG_INVALID');
}

describe('substituteString', () => {
  const env = { USER: 'alice', EMPTY: '', TAG: '9.7' };

  it.each([
    ['plain text', 'plain text'],
    [`\${USER}`, 'alice'],
    [`pre-\${USER}-\${TAG}-post`, 'pre-alice-9.7-post'],
    [`\${MISSING:-fallback}`, 'fallback'],
    [`\${EMPTY:-fallback}`, 'fallback'],
    [`\${USER:-fallback}`, 'alice'],
    [`\${MISSING:-}`, ''],
    [`\${EMPTY}`, ''],
    [`$\${USER}`, `\${USER}`],
    [`cost: $5 and $$`, 'cost: $5 and $$'],
    [`\${MISSING:-a:b/c d}`, 'a:b/c d'],
  ])('turns %j into %j', (input, expected) => {
    expect(substituteString(input, env)).toEqual({ ok: true, value: expected });
  });

  it('reports an unset variable without a default, naming it and the fix', () => {
    expect(substituteString(`x\${NOPE}`, env)).toEqual({
      ok: false,
      problem: `\${NOPE} refers to the environment variable NOPE, which is not set; set NOPE or write \${NOPE:-default}`,
    });
  });

  it('reports an unterminated reference and an invalid variable name', () => {
    expect(substituteString(`\${USER`, env)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('without a closing'),
    });
    expect(substituteString(`\${1BAD}`, env)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^"\$\{1BAD\}" is not a variable reference/),
    });
  });

  it('does not echo the text of a secret with a broken reference', () => {
    const result = substituteString(`pa\${ss word}`, env, { secret: true });
    expect(result).toMatchObject({ ok: false });
    expect(JSON.stringify(result)).not.toContain('ss word');
  });
});

describe('substituteEnv', () => {
  it('substitutes string values only, leaving keys, numbers and booleans alone', () => {
    const key = `\${KEY}`;
    const report: string[] = [];
    const out = substituteEnv(
      { [key]: `\${V}`, n: 1, b: true, list: [`\${V}`, 2] },
      { V: 'v', KEY: 'k' },
      { report: (_path, problem) => report.push(problem) },
    );
    expect(out).toEqual({ [key]: 'v', n: 1, b: true, list: ['v', 2] });
    expect(report).toEqual([]);
  });

  it('passes substituted values at secret paths to the secret hook', () => {
    const secrets: string[] = [];
    substituteEnv(
      { registries: { 'quay.io': { username: `\${U}`, password: `\${P}` } } },
      { U: 'user', P: 'pass' },
      { report: () => {}, secret: (value) => secrets.push(value) },
    );
    expect(secrets).toEqual(['pass']);
  });
});

describe('environment substitution in the config file', () => {
  it('substitutes variables and defaults anywhere in string values', () => {
    const config = load(
      `presets:\n  p: { image: "quay.io/acme/os:\${OS_TAG:-stable}", builder: centos, description: "\${DESC}" }\n`,
      { DESC: 'Acme OS' },
    );
    expect(config.presets.p).toEqual({
      image: 'quay.io/acme/os:stable',
      builder: 'centos',
      description: 'Acme OS',
    });
  });

  it('keeps $${ as a literal ${', () => {
    const config = load(
      `presets:\n  p: { image: quay.io/a/b:1, builder: centos, description: "costs $\${HOME}" }\n`,
    );
    expect(config.presets.p?.description).toBe(`costs \${HOME}`);
  });

  it('reports an unset variable with the file, the YAML path and the variable, and only once', () => {
    expect(problems(`worker:\n  workDir: "\${WORK_DIR}/work"\n`)).toEqual([
      `${FILE}: worker.workDir: \${WORK_DIR} refers to the environment variable WORK_DIR, which is not set; ` +
        `set WORK_DIR or write \${WORK_DIR:-default}`,
    ]);
  });

  it('reports every unset variable, in every section', () => {
    const lines = problems(
      `registries:\n  quay.io: { username: "\${Q_USER}", password: "\${Q_PASS}" }\nworker: { podman: "\${PODMAN}" }\n`,
    );
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toMatch(
      /registries\["quay.io"\].username: \$\{Q_USER\}[^\n]*\n.*Q_PASS[^\n]*\n.*worker.podman: \$\{PODMAN\}/,
    );
  });

  it('keeps a value containing YAML syntax as one plain string', () => {
    const evil =
      'x"\nworker:\n  concurrency: 32\nregistries: { evil.io: { insecure: true } }\n# {a: [1, 2]} &anchor *alias !!js/function';
    const config = load(
      `presets:\n  p: { image: quay.io/a/b:1, builder: centos, description: "\${DESC}" }\n`,
      {
        DESC: evil,
      },
    );
    expect(config.presets.p?.description).toBe(evil);
    expect(config.worker.concurrency).toBe(1);
    expect(config.registries).toEqual({});
  });

  it('still validates a substituted value against the schema', () => {
    expect(problems(`worker: { workDir: "\${DIR}" }\n`, { DIR: 'relative' })).toEqual([
      `${FILE}: worker.workDir: "relative" is not absolute; write a path starting with /`,
    ]);
  });

  it('accepts numbers and booleans that arrive as strings from substitution', () => {
    const config = load(
      `worker:\n  concurrency: "\${CONCURRENCY}"\n  minFreeDiskGiB: "\${DISK:-7.5}"\nregistries:\n  quay.io: { insecure: "\${INSECURE}" }\n`,
      { CONCURRENCY: '4', INSECURE: 'true' },
    );
    expect(config.worker.concurrency).toBe(4);
    expect(config.worker.minFreeDiskGiB).toBe(7.5);
    expect(config.registries['quay.io']?.insecure).toBe(true);
  });

  it('does not substitute inside keys', () => {
    const lines = problems(`registries:\n  "\${REGISTRY}": {}\n`, { REGISTRY: 'quay.io' });
    expect(lines[0]).toContain(`registries["\${REGISTRY}"]`);
  });
});
