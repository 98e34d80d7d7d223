import { describe, expect, it } from 'vitest';
import { childProcessEnv } from '../../../src/config/child-env.ts';

describe('child process environment', () => {
  it("passes podman's own settings and the basics, and none of the service's secrets", () => {
    const env = childProcessEnv({
      PATH: '/usr/bin',
      HOME: '/root',
      CONTAINERS_STORAGE_CONF: '/etc/containers/storage.conf',
      REGISTRY_AUTH_FILE: '/run/auth.json',
      SLACK_BOT_TOKEN: 'xoxb-secret',
      SLACK_SIGNING_SECRET: 'sign',
      AWS_SECRET_ACCESS_KEY: 'aws',
      S3_SECRET_ACCESS_KEY: 's3',
      REDIS_URL: 'redis://:pw@redis:6379',
      REDIS_PASSWORD: 'pw',
      REGISTRY_PASSWORD: 'reg',
      NODE_OPTIONS: '--require /tmp/evil.js',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      CONTAINERS_STORAGE_CONF: '/etc/containers/storage.conf',
      REGISTRY_AUTH_FILE: '/run/auth.json',
    });
  });

  it('always has a PATH', () => {
    expect(childProcessEnv({}).PATH).toMatch(/\/usr\/bin/);
  });
});
