import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { CONFIG_SEARCH_PATHS } from '../../../src/config/read-config-file.ts';

/** A readFile over an in-memory set of files; anything else is ENOENT like the real one. */
function files(contents: Record<string, string>) {
  return (path: string) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
}

const CHECKOUT = '/srv/checkout/config/bootc-iso.yaml';
const SYSTEM = '/etc/bootc-iso/config.yaml';
const linkTtl = (seconds: number) => `defaultBuilder: centos\nworker:\n  concurrency: ${seconds}\n`;

describe('the config file is found without BOOTC_ISO_CONFIG', () => {
  it('searches ./config/bootc-iso.yaml, then /etc/bootc-iso/config.yaml', () => {
    expect(CONFIG_SEARCH_PATHS).toEqual(['config/bootc-iso.yaml', SYSTEM]);
  });

  it('takes the checkout file first', () => {
    const config = loadConfig(
      {},
      { cwd: '/srv/checkout', readFile: files({ [CHECKOUT]: linkTtl(2), [SYSTEM]: linkTtl(3) }) },
    );
    expect(config.configPath).toBe(CHECKOUT);
    expect(config.worker.concurrency).toBe(2);
  });

  it('falls back to the system file when the checkout has none', () => {
    const config = loadConfig({}, { cwd: '/srv/checkout', readFile: files({ [SYSTEM]: linkTtl(3) }) });
    expect(config.configPath).toBe(SYSTEM);
    expect(config.configFileLoaded).toBe(true);
    expect(config.worker.concurrency).toBe(3);
  });

  it('uses the built-in defaults when neither exists', () => {
    const config = loadConfig({}, { cwd: '/srv/checkout', readFile: files({}) });
    expect(config.configFileLoaded).toBe(false);
    expect(config.configPath).toBe(CHECKOUT);
  });

  it('lets --config-file win over BOOTC_ISO_CONFIG and the search path, and names it when missing', () => {
    const read = files({ '/tmp/mine.yaml': linkTtl(4), [CHECKOUT]: linkTtl(2), '/tmp/env.yaml': linkTtl(5) });
    const config = loadConfig(
      { BOOTC_ISO_CONFIG: '/tmp/env.yaml' },
      { cwd: '/srv/checkout', readFile: read, configFile: '/tmp/mine.yaml' },
    );
    expect(config.worker.concurrency).toBe(4);
    expect(() =>
      loadConfig({}, { cwd: '/srv/checkout', readFile: read, configFile: '/tmp/absent.yaml' }),
    ).toThrow(/^--config-file: the file \/tmp\/absent\.yaml does not exist/);
  });

  it('reports a broken file found on the search path rather than skipping it', () => {
    expect(() =>
      loadConfig({}, { cwd: '/srv/checkout', readFile: files({ [SYSTEM]: 'worker: [' }) }),
    ).toThrow(/\/etc\/bootc-iso\/config\.yaml/);
  });
});
