import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../../src/config/load-config.ts';

const where = { cwd: '/nonexistent', readFile: () => '' };

function problems(env: Record<string, string>): string {
  try {
    loadConfig({ BOOTC_ISO_CONFIG: '', ...env }, { role: 'worker', ...where });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('metrics and dashboard settings', () => {
  it('serve metrics on 127.0.0.1:9464 by default, with no dashboard', () => {
    const config = loadConfig({}, where);
    expect(config.ops).toEqual({ metrics: { host: '127.0.0.1', port: 9464, required: false } });
  });

  it('take METRICS_HOST and METRICS_PORT (0 = any free port), and turn metrics off with METRICS_PORT=off', () => {
    expect(loadConfig({ METRICS_HOST: '0.0.0.0', METRICS_PORT: '9100' }, where).ops.metrics).toEqual({
      host: '0.0.0.0',
      port: 9100,
      required: true,
    });
    expect(loadConfig({ METRICS_PORT: '0' }, where).ops.metrics?.port).toBe(0);
    expect(loadConfig({ METRICS_HOST: '::' }, where).ops.metrics).toMatchObject({
      host: '::',
      required: true,
    });
    expect(loadConfig({ METRICS_PORT: 'off' }, where).ops.metrics).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '' }, where).ops.metrics?.port).toBe(9464);
  });

  it('refuse a bad port or host with the fix', () => {
    expect(problems({ METRICS_PORT: '70000' })).toContain(
      'METRICS_PORT: "70000" is not a TCP port; set a number from 0 to 65535, or off',
    );
    expect(problems({ METRICS_PORT: 'nine' })).toContain('METRICS_PORT: "nine" is not a TCP port');
    expect(problems({ METRICS_HOST: 'http://x/' })).toContain('METRICS_HOST: "http://x/" is not a host name');
  });

  it('turn the dashboard on only with both ADMIN_USER and ADMIN_PASSWORD', () => {
    const config = loadConfig({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'long-enough-password' }, where);
    expect(config.ops.admin).toEqual({ user: 'ops', password: 'long-enough-password' });
    expect(problems({ ADMIN_USER: 'ops' })).toContain('ADMIN_PASSWORD: is not set but ADMIN_USER is');
    expect(problems({ ADMIN_PASSWORD: 'long-enough-password' })).toContain(
      'ADMIN_USER: is not set but ADMIN_PASSWORD is',
    );
  });

  it('refuse a short admin password or a user name with a colon, without echoing the password', () => {
    const message = problems({ ADMIN_USER: 'a:b', ADMIN_PASSWORD: 'Short5ecret' });
    expect(message).toContain('ADMIN_USER: "a:b" is not a user name');
    expect(message).toContain('ADMIN_PASSWORD: is shorter than 12 characters');
    expect(message).not.toContain('Short5ecret');
  });

  it('count the admin password as a secret for log redaction', () => {
    const config = loadConfig({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'dashboard-secret-1234' }, where);
    expect(secretValues(config)).toContain('dashboard-secret-1234');
  });
});

describe('Redis Sentinel settings', () => {
  it('are off unless REDIS_SENTINELS is set; the URL alone names Redis', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@redis.example:6380/2' }, where).redis).toEqual({
      url: 'rediss://:pw@redis.example:6380/2',
    });
  });

  it('list the sentinels, with the master name defaulting to mymaster and port to 26379', () => {
    const config = loadConfig(
      { REDIS_SENTINELS: 's1.example:26380, s2.example,[fd00::3]:26381', REDIS_URL: 'redis://:pw@ignored/1' },
      where,
    );
    expect(config.redis).toEqual({
      url: 'redis://:pw@ignored/1',
      sentinel: {
        sentinels: [
          { host: 's1.example', port: 26380 },
          { host: 's2.example', port: 26379 },
          { host: 'fd00::3', port: 26381 },
        ],
        name: 'mymaster',
      },
    });
  });

  it('take a master name and a sentinel password, which is a secret', () => {
    const config = loadConfig(
      {
        REDIS_SENTINELS: 's1:26379',
        REDIS_SENTINEL_NAME: 'bootc',
        REDIS_SENTINEL_PASSWORD: 'sentinel-pass-9',
      },
      where,
    );
    expect(config.redis.sentinel).toMatchObject({ name: 'bootc', password: 'sentinel-pass-9' });
    expect(secretValues(config)).toContain('sentinel-pass-9');
  });

  it('refuse bad addresses, and sentinel settings without REDIS_SENTINELS, without echoing the password', () => {
    expect(problems({ REDIS_SENTINELS: 's1:26379,http://s2' })).toContain(
      'REDIS_SENTINELS: "http://s2" is not host:port',
    );
    expect(problems({ REDIS_SENTINELS: 's1:99999' })).toContain(
      'REDIS_SENTINELS: "s1:99999" is not host:port',
    );
    expect(problems({ REDIS_SENTINELS: 's1', REDIS_SENTINEL_NAME: 'a b' })).toContain(
      'REDIS_SENTINEL_NAME: "a b" is not a master name',
    );
    const orphan = problems({ REDIS_SENTINEL_NAME: 'x', REDIS_SENTINEL_PASSWORD: 'orphan-secret-77' });
    expect(orphan).toContain(
      'REDIS_SENTINELS: is not set, so REDIS_SENTINEL_NAME and REDIS_SENTINEL_PASSWORD would be ignored',
    );
    expect(orphan).not.toContain('orphan-secret-77');
  });
});
