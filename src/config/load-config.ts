import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { AppError } from '../domain/errors.ts';
import { checkS3Combination, EnvSchema, type EnvSettings } from './env-schema.ts';
import type { ConfigFile } from './file-schema.ts';
import { type LocalSettings, readLocalEnv } from './local-env.ts';
import { type OpsSettings, readOpsEnv } from './ops-env.ts';
import { findConfigFile, readConfigFile } from './read-config-file.ts';
import { redactSecrets } from './redact-secrets.ts';
import { type RedisTarget, readRedisSentinelEnv } from './redis-env.ts';
import { readSlackEnv, type SlackSettings } from './slack-env.ts';
import { type ConfigRole, validateConfigFile } from './validate-config-file.ts';

export type { ConfigRole } from './validate-config-file.ts';

/** Everything a process needs, from the environment and the YAML config file, validated once at startup. */
export type Config = Omit<EnvSettings, 'configFile'> &
  ConfigFile & {
    /** Absolute path of the config file (when `configFileLoaded` is false, the default path that was absent). */
    configPath: string;
    /** False when no file was named and none was found on the search path, so built-in defaults apply. */
    configFileLoaded: boolean;
    /** Present for roles 'bot' and 'all' only: workers and the CLI never hold Slack secrets. */
    slack?: SlackSettings;
    /** Where Redis is: `redisUrl`, or Sentinel. Connect with this rather than `redisUrl`. */
    redis: RedisTarget;
    /** /metrics listener and /admin/queues credentials. */
    ops: OpsSettings;
    /**
     * Hosts the workers hold credentials for (a `registries` entry with a username); known to the bot too, which
     * sees no registry settings, so that typing images from them can need an explicit access rule, and so that the
     * build form offers first the presets that can be built with the credentials configured.
     */
    credentialRegistries?: string[];
    /** True when REDIS_URL was set; `npm start` runs a private redis-server when it was not. */
    redisUrlSet: boolean;
    /** Data directory, local artifact store and its download links (single-host mode). */
    local: LocalSettings;
  };

export interface LoadConfigOptions {
  /** 'bot' ignores the `registries` section entirely. Default 'worker' (validate everything). */
  role?: ConfigRole;
  readFile?: (path: string) => string;
  /** What a relative BOOTC_ISO_CONFIG is resolved against. */
  cwd?: string;
  /** A config file named on the command line (`--config-file`); wins over BOOTC_ISO_CONFIG. */
  configFile?: string;
}

/**
 * Build the Config from an environment object (process.env by default; nothing else in the project reads it) and
 * the YAML file (`configFile`, else BOOTC_ISO_CONFIG, else the first of CONFIG_SEARCH_PATHS that exists). Throws AppError('CONFIG_INVALID') listing every problem, one per line;
 * secret values never appear in the message.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  opts: LoadConfigOptions = {},
): Config {
  const {
    role = 'worker',
    readFile = (path: string) => readFileSync(path, 'utf8'),
    cwd = process.cwd(),
  } = opts;
  const problems: string[] = [];
  const secrets = [env.S3_SECRET_ACCESS_KEY ?? '', ...redisPasswords(env.REDIS_URL)];

  const envResult = EnvSchema.safeParse(env);
  if (!envResult.success) {
    problems.push(...envResult.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`));
  }
  problems.push(...checkS3Combination(env));
  const slackEnv = readSlackEnv(env, role);
  problems.push(...slackEnv.problems);
  secrets.push(...slackEnv.secrets);
  const opsEnv = readOpsEnv(env);
  const sentinelEnv = readRedisSentinelEnv(env);
  problems.push(...opsEnv.problems, ...sentinelEnv.problems);
  secrets.push(...opsEnv.secrets, ...sentinelEnv.secrets);
  const localEnv = readLocalEnv(env, cwd);
  problems.push(...localEnv.problems);
  secrets.push(...localEnv.secrets);

  const explicit = opts.configFile ?? (env.BOOTC_ISO_CONFIG === '' ? undefined : env.BOOTC_ISO_CONFIG);
  const found =
    explicit === undefined
      ? findConfigFile(cwd, readFile)
      : { display: explicit, path: resolve(cwd, explicit) };
  const { display, path: configPath } = found;
  const read = 'read' in found ? found.read : readConfigFile(configPath, display, readFile);
  let file: ConfigFile | undefined;
  let configFileLoaded = false;
  let credentialRegistries: string[] = [];
  if (read.kind === 'missing' && explicit !== undefined) {
    const where = isAbsolute(display) ? display : `${display} (resolved to ${configPath})`;
    const name = opts.configFile === undefined ? 'BOOTC_ISO_CONFIG' : '--config-file';
    problems.push(
      `${name}: the file ${where} does not exist; copy config/bootc-iso.example.yaml there, ` +
        `or point ${name} at an existing file`,
    );
  } else if (read.kind === 'problems') {
    problems.push(...read.problems);
  } else {
    configFileLoaded = read.kind === 'ok';
    const validated = validateConfigFile(read.kind === 'ok' ? read.data : {}, display, role, env);
    problems.push(...validated.problems);
    secrets.push(...validated.secrets);
    file = validated.file;
    credentialRegistries = credentialHosts(read.kind === 'ok' ? read.data : {});
  }

  if (problems.length > 0 || !envResult.success || file === undefined) {
    throw new AppError('CONFIG_INVALID', redactSecrets(problems.join('\n'), secrets));
  }
  const { configFile: _, ...settings } = envResult.data;
  return {
    ...settings,
    ...file,
    configPath,
    configFileLoaded,
    credentialRegistries,
    ...(slackEnv.slack ? { slack: slackEnv.slack } : {}),
    redis: { url: settings.redisUrl, ...(sentinelEnv.sentinel ? { sentinel: sentinelEnv.sentinel } : {}) },
    ops: opsEnv.ops,
    redisUrlSet: (env.REDIS_URL ?? '') !== '',
    local: localEnv.local,
  };
}

/**
 * The secret strings in a Config, for log redaction and for tests that scan output for leaks: the S3 secret key,
 * inline registry passwords and the Redis password. Passwords in passwordFile files are not read here.
 */
export function secretValues(config: Config): string[] {
  const values = [
    config.s3?.secretAccessKey,
    config.slack?.botToken,
    config.slack?.signingSecret,
    config.slack?.appToken,
    config.ops.admin?.password,
    config.ops.metricsToken,
    config.redis.sentinel?.password,
    config.local.linkSigningKey,
    ...Object.values(config.registries).map((registry) => registry.password),
    ...redisPasswords(config.redisUrl),
  ];
  return [...new Set(values.filter((value): value is string => typeof value === 'string' && value !== ''))];
}

/** The password of a redis:// URL as written and decoded (either may show up in a log line). */
function redisPasswords(url: string | undefined): string[] {
  if (url === undefined || !URL.canParse(url)) return [];
  const { password } = new URL(url);
  if (password === '') return [];
  try {
    return [password, decodeURIComponent(password)];
  } catch {
    return [password];
  }
}

/** The `registries` keys whose entry names a username: only the names are read, never a password. */
function credentialHosts(data: Record<string, unknown>): string[] {
  const registries = data.registries;
  if (typeof registries !== 'object' || registries === null) return [];
  return Object.entries(registries as Record<string, unknown>)
    .filter(([, entry]) => typeof entry === 'object' && entry !== null && 'username' in entry)
    .map(([host]) => host.toLowerCase());
}
