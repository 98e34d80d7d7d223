import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { AppError } from '../../../src/domain/errors.ts';
import { configErrorOf, loadFromEnv } from './load-helpers.ts';

const load = loadFromEnv;
const configError = (env: Record<string, string | undefined>) => configErrorOf(() => load(env));

describe('loadConfig environment variables', () => {
  it('uses documented defaults when nothing is set and the default file does not exist', () => {
    const config = load({});
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      s3: undefined,
      linkTtlSeconds: 604800,
      logLevel: 'info',
      workerName: hostname(),
      configPath: '/srv/app/config/bootc-iso.yaml',
      configFileLoaded: false,
    });
  });

  it('treats an empty variable the same as an unset one', () => {
    const config = load({
      REDIS_URL: '',
      LOG_LEVEL: '',
      LINK_TTL_SECONDS: '',
      BOOTC_ISO_CONFIG: '',
      S3_BUCKET: '',
    });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.configFileLoaded).toBe(false);
    expect(config.s3).toBeUndefined();
  });

  it.each(['redis://redis.internal:6379/2', 'rediss://default:pw@redis.example.com:6380'])(
    'accepts REDIS_URL %s',
    (url) => {
      expect(load({ REDIS_URL: url }).redisUrl).toBe(url);
    },
  );

  it('rejects a REDIS_URL with another scheme, naming the variable and the fix', () => {
    expect(configError({ REDIS_URL: 'http://127.0.0.1:6379' })).toBe(
      'REDIS_URL: is set but uses the scheme "http:"; set a redis:// or rediss:// URL such as redis://127.0.0.1:6379',
    );
  });

  it('rejects a REDIS_URL that is not a URL without echoing it (it may hold a password)', () => {
    const message = configError({ REDIS_URL: 'not a url hunter2' });
    expect(message).toMatch(/^REDIS_URL: is set but is not a valid URL; set a redis:\/\//);
    expect(message).not.toContain('hunter2');
  });

  it.each(['60', '3600', '604800'])('accepts LINK_TTL_SECONDS=%s', (raw) => {
    expect(load({ LINK_TTL_SECONDS: raw }).linkTtlSeconds).toBe(Number(raw));
  });

  it.each([
    [
      '700000',
      'LINK_TTL_SECONDS: 700000 is over the S3 presign maximum of 604800 (7 days); set a value between 60 and 604800',
    ],
    ['59', 'LINK_TTL_SECONDS: 59 is under the minimum of 60; set a value between 60 and 604800'],
    ['7d', 'LINK_TTL_SECONDS: "7d" is not a whole number of seconds; set a value between 60 and 604800'],
    ['-5', 'LINK_TTL_SECONDS: "-5" is not a whole number of seconds; set a value between 60 and 604800'],
  ])('rejects LINK_TTL_SECONDS=%s', (raw, expected) => {
    expect(configError({ LINK_TTL_SECONDS: raw })).toBe(expected);
  });

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])('accepts LOG_LEVEL=%s', (level) => {
    expect(load({ LOG_LEVEL: level }).logLevel).toBe(level);
  });

  it('accepts LOG_LEVEL in upper case', () => {
    expect(load({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
  });

  it('rejects an unknown LOG_LEVEL, listing the levels', () => {
    expect(configError({ LOG_LEVEL: 'verbose' })).toBe(
      'LOG_LEVEL: "verbose" is not a log level; set one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('accepts a WORKER_NAME and rejects one with spaces', () => {
    expect(load({ WORKER_NAME: 'build-01.lab' }).workerName).toBe('build-01.lab');
    expect(configError({ WORKER_NAME: 'build 01' })).toMatch(
      /^WORKER_NAME: "build 01" is not a valid worker name/,
    );
  });

  it('resolves a relative BOOTC_ISO_CONFIG against cwd and reads that file', () => {
    const read: string[] = [];
    const config = loadConfig(
      { BOOTC_ISO_CONFIG: 'ops/bootc.yaml' },
      {
        cwd: '/srv/app',
        readFile: (path) => {
          read.push(path);
          return 'defaultBuilder: centos\n';
        },
      },
    );
    expect(read).toEqual(['/srv/app/ops/bootc.yaml']);
    expect(config).toMatchObject({
      configPath: '/srv/app/ops/bootc.yaml',
      configFileLoaded: true,
      defaultBuilder: 'centos',
    });
  });

  it('fails when an explicit BOOTC_ISO_CONFIG does not exist, saying how to fix it', () => {
    expect(configError({ BOOTC_ISO_CONFIG: 'ops/bootc.yaml' })).toBe(
      'BOOTC_ISO_CONFIG: the file ops/bootc.yaml (resolved to /srv/app/ops/bootc.yaml) does not exist; ' +
        'copy config/bootc-iso.example.yaml there, or point BOOTC_ISO_CONFIG at an existing file',
    );
    expect(configError({ BOOTC_ISO_CONFIG: '/etc/bootc-iso.yaml' })).toMatch(
      /^BOOTC_ISO_CONFIG: the file \/etc\/bootc-iso.yaml does not exist; copy/,
    );
  });

  it('fails when BOOTC_ISO_CONFIG names the default path explicitly and it is missing', () => {
    expect(configError({ BOOTC_ISO_CONFIG: 'config/bootc-iso.yaml' })).toMatch(/^BOOTC_ISO_CONFIG: the file/);
  });

  it('lists every environment problem at once, one per line', () => {
    const lines = configError({
      REDIS_URL: 'mysql://db',
      LINK_TTL_SECONDS: '0',
      LOG_LEVEL: 'loud',
      WORKER_NAME: '-x',
      S3_ACCESS_KEY_ID: 'AKIA',
    }).split('\n');
    expect(lines.map((line) => line.split(':')[0])).toEqual([
      'REDIS_URL',
      'LINK_TTL_SECONDS',
      'LOG_LEVEL',
      'WORKER_NAME',
      'S3_BUCKET',
    ]);
  });

  it('reports environment and config file problems together', () => {
    const error = (() => {
      try {
        loadConfig(
          { LOG_LEVEL: 'loud', BOOTC_ISO_CONFIG: '/c.yaml' },
          { readFile: () => 'worker: { concurrency: 0 }\n' },
        );
      } catch (e) {
        return e as AppError;
      }
      throw new Error('expected a throw');
    })();
    expect(error.message.split('\n')).toEqual([
      expect.stringMatching(/^LOG_LEVEL: /),
      '/c.yaml: worker.concurrency: 0 is under the minimum of 1; set at least 1',
    ]);
  });
});
