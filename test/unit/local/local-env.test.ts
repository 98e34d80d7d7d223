import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../../src/config/load-config.ts';

const noFile = { readFile: () => '', cwd: '/srv/app' };

function problems(env: Record<string, string>): string {
  try {
    loadConfig({ BOOTC_ISO_CONFIG: '', ...env }, noFile);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('single-host settings (DATA_DIR, ARTIFACT_DIR, PUBLIC_URL, LINK_SIGNING_KEY)', () => {
  it('default to ./data, ./data/artifacts and http://localhost:<PORT>, and say whether REDIS_URL was set', () => {
    const config = loadConfig({ PORT: '8080' }, noFile);
    expect(config.local).toEqual({
      dataDir: '/srv/app/data',
      artifactDir: '/srv/app/data/artifacts',
      artifactDirSet: false,
      publicUrl: 'http://localhost:8080',
    });
    expect(config.redisUrlSet).toBe(false);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(loadConfig({ REDIS_URL: 'redis://r:6379' }, noFile).redisUrlSet).toBe(true);
    expect(loadConfig({ REDIS_URL: '' }, noFile).redisUrlSet).toBe(false);
    expect(loadConfig({}, noFile).local.publicUrl).toBe('http://localhost:3000');
  });

  it('resolve relative directories against the working directory and put artifacts under DATA_DIR', () => {
    const config = loadConfig({ DATA_DIR: 'state', PUBLIC_URL: 'https://isos.example.com/bot/' }, noFile);
    expect(config.local).toMatchObject({
      dataDir: '/srv/app/state',
      artifactDir: '/srv/app/state/artifacts',
      publicUrl: 'https://isos.example.com/bot',
    });
    const shared = loadConfig({ ARTIFACT_DIR: '/var/lib/bootc-iso/isos' }, noFile);
    expect(shared.local).toMatchObject({ artifactDir: '/var/lib/bootc-iso/isos', artifactDirSet: true });
  });

  it('refuse a bad PUBLIC_URL, a short LINK_SIGNING_KEY and ARTIFACT_DIR together with S3_BUCKET', () => {
    expect(problems({ PUBLIC_URL: 'ftp://x' })).toContain('PUBLIC_URL: "ftp://x" is not http(s)');
    expect(problems({ PUBLIC_URL: 'https://h/?a=1' })).toContain('PUBLIC_URL: "https://h/?a=1" has a query');
    expect(problems({ LINK_SIGNING_KEY: 'k-q7x2' })).toContain(
      'LINK_SIGNING_KEY: is set but shorter than 32',
    );
    expect(problems({ ARTIFACT_DIR: '/isos', S3_BUCKET: 'isos' })).toContain(
      'ARTIFACT_DIR: is set but so is S3_BUCKET',
    );
  });

  it('treat LINK_SIGNING_KEY as a secret: never echoed, always redacted', () => {
    const key = 'LINKKEY-with-whitespace-q9z1 and more words';
    const message = problems({ LINK_SIGNING_KEY: key });
    expect(message).toContain('LINK_SIGNING_KEY: is set but contains whitespace');
    expect(message).not.toContain('q9z1');
    const good = 'LINKKEY-0123456789abcdef0123456789-q9z1';
    expect(secretValues(loadConfig({ LINK_SIGNING_KEY: good }, noFile))).toContain(good);
  });

  it('ask the all-in-one role for Slack settings and still validate registries', () => {
    const message = (() => {
      try {
        loadConfig(
          { BOOTC_ISO_CONFIG: '/c.yaml' },
          { role: 'all', readFile: () => 'registries:\n  quay.io: { username: u }\n', cwd: '/srv/app' },
        );
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('SLACK_BOT_TOKEN: is not set');
    expect(message).toContain('registries');
  });
});
