import { expect } from 'vitest';
import { type ConfigRole, loadConfig } from '../../../src/config/load-config.ts';
import { AppError } from '../../../src/domain/errors.ts';

/** The message of the CONFIG_INVALID error `run` throws (the test fails if it throws nothing or something else). */
export function configErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONFIG_INVALID');
    return (error as AppError).message;
  }
  throw new Error('expected loadConfig to throw CONFIG_INVALID');
}

const noFiles = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
};

/** loadConfig with only environment variables: the default config file does not exist. */
export function loadFromEnv(env: Record<string, string | undefined>) {
  return loadConfig(env, { readFile: noFiles, cwd: '/srv/app' });
}

export const CONFIG_FILE = 'config/bootc-iso.yaml';
const BOT_ENV = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'signing-secret' };

/** loadConfig with `yaml` as the config file's content. */
export function loadYaml(yaml: string, opts: { env?: Record<string, string>; role?: ConfigRole } = {}) {
  return loadConfig(
    { BOOTC_ISO_CONFIG: CONFIG_FILE, ...(opts.role === 'bot' ? BOT_ENV : {}), ...opts.env },
    { cwd: '/srv/app', readFile: () => yaml, ...(opts.role ? { role: opts.role } : {}) },
  );
}

export function yamlProblems(
  yaml: string,
  opts: { env?: Record<string, string>; role?: ConfigRole } = {},
): string[] {
  return configErrorOf(() => loadYaml(yaml, opts)).split('\n');
}
