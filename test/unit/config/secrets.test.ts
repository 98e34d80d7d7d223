import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../../src/config/load-config.ts';
import { redactSecrets } from '../../../src/config/redact-secrets.ts';
import { AppError } from '../../../src/domain/errors.ts';

// Distinctive values: if any of these shows up in an error message, something echoed a secret.
const S3_SECRET = 'S3SECRET-zq8x-7731';
const REGISTRY_PASSWORD = 'REGPASS-kw2v-5509';
const REDIS_PASSWORD = 'REDISPASS-mm4t-1188';

function errorMessage(env: Record<string, string>, yaml = '{}\n'): string {
  try {
    loadConfig({ BOOTC_ISO_CONFIG: '/c.yaml', ...env }, { readFile: () => yaml });
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).message;
  }
  throw new Error('expected loadConfig to throw CONFIG_INVALID');
}

function expectNoSecrets(message: string): void {
  for (const secret of [S3_SECRET, REGISTRY_PASSWORD, REDIS_PASSWORD]) expect(message).not.toContain(secret);
  expect(message).not.toMatch(/kw2v|zq8x|mm4t/);
}

describe('secrets in configuration errors', () => {
  it('does not echo the S3 secret when S3_ACCESS_KEY_ID is missing', () => {
    const message = errorMessage({ S3_BUCKET: 'isos', S3_SECRET_ACCESS_KEY: S3_SECRET });
    expect(message).toContain('S3_ACCESS_KEY_ID');
    expectNoSecrets(message);
  });

  it('does not echo an S3 secret with whitespace, saying only that it is set', () => {
    const message = errorMessage({
      S3_BUCKET: 'isos',
      S3_ACCESS_KEY_ID: 'AKIA',
      S3_SECRET_ACCESS_KEY: `${S3_SECRET} `,
    });
    expect(message).toMatch(/^S3_SECRET_ACCESS_KEY: is set but /);
    expectNoSecrets(message);
  });

  it('does not echo a Redis URL holding a password', () => {
    expectNoSecrets(errorMessage({ REDIS_URL: `http://:${REDIS_PASSWORD}@redis:6379` }));
    expectNoSecrets(errorMessage({ REDIS_URL: `redis//:${REDIS_PASSWORD}@redis` }));
  });

  it('does not echo a registry password in an entry that is otherwise invalid', () => {
    const yaml = `registries:\n  quay.io: { username: u, password: "\${PW}", passwordFile: /etc/p }\n`;
    const message = errorMessage({ PW: REGISTRY_PASSWORD }, yaml);
    expect(message).toContain('has both password and passwordFile');
    expectNoSecrets(message);
  });

  it('does not echo a registry password of the wrong type or length', () => {
    expectNoSecrets(errorMessage({}, `registries:\n  quay.io: { username: u, password: 5509 }\n`));
    const long = REGISTRY_PASSWORD.repeat(300);
    expectNoSecrets(
      errorMessage({ PW: long }, `registries:\n  quay.io: { username: u, password: "\${PW}" }\n`),
    );
  });

  it('scrubs a registry password that was also substituted into a field that echoes its value', () => {
    const yaml =
      `registries:\n  quay.io: { username: u, password: "\${PW}" }\n` +
      `worker: { podman: "\${PW} --remote" }\n`;
    const message = errorMessage({ PW: REGISTRY_PASSWORD }, yaml);
    expect(message).toContain('worker.podman: "[redacted] --remote" is not an executable name');
    expectNoSecrets(message);
  });

  it('does not echo a password whose text contains a broken ${ reference', () => {
    const yaml = `registries:\n  quay.io: { username: u, password: "kw2v\${ oops" }\n`;
    expectNoSecrets(errorMessage({}, yaml));
  });

  it('keeps secrets out of a message that lists many problems at once', () => {
    const yaml = `registries:\n  quay.io: { password: "\${PW}" }\nworker: { concurrency: 0 }\n`;
    const message = errorMessage(
      {
        PW: REGISTRY_PASSWORD,
        S3_SECRET_ACCESS_KEY: S3_SECRET,
        REDIS_URL: `mysql://:${REDIS_PASSWORD}@db`,
        LOG_LEVEL: 'loud',
      },
      yaml,
    );
    expect(message.split('\n').length).toBeGreaterThanOrEqual(5);
    expectNoSecrets(message);
  });
});

describe('secretValues', () => {
  it('lists the S3 secret, inline registry passwords and the Redis password', () => {
    const config = loadConfig(
      {
        BOOTC_ISO_CONFIG: '/c.yaml',
        PW: REGISTRY_PASSWORD,
        S3_BUCKET: 'isos',
        S3_ACCESS_KEY_ID: 'AKIA',
        S3_SECRET_ACCESS_KEY: S3_SECRET,
        REDIS_URL: `redis://default:${REDIS_PASSWORD}@redis:6379`,
      },
      {
        readFile: () =>
          `registries:\n  quay.io: { username: u, password: "\${PW}" }\n` +
          '  registry.redhat.io: { username: u, passwordFile: /etc/p }\n',
      },
    );
    expect(secretValues(config).sort()).toEqual([REDIS_PASSWORD, REGISTRY_PASSWORD, S3_SECRET].sort());
  });

  it('includes both the encoded and decoded forms of a percent-encoded Redis password', () => {
    const config = loadConfig({ REDIS_URL: 'redis://:p%40ss%2Fword@redis:6379' }, { readFile: () => '' });
    expect(secretValues(config)).toEqual(['p%40ss%2Fword', 'p@ss/word']);
  });

  it('is empty when nothing secret is configured', () => {
    expect(secretValues(loadConfig({}, { readFile: () => '' }))).toEqual([]);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence, longest secret first, including JSON-escaped forms', () => {
    expect(redactSecrets('a abc abc "q\\"x"', ['abc', 'ab', 'q"x'])).toBe(
      'a [redacted] [redacted] "[redacted]"',
    );
  });

  it('ignores empty secrets', () => {
    expect(redactSecrets('text', [''])).toBe('text');
  });
});
