import { hostname } from 'node:os';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The longest a SigV4 presigned URL may live (`MAX_PRESIGNED_TTL` in @smithy/signature-v4). */
export const LINK_TTL_MAX_SECONDS = 604_800;
export const LINK_TTL_MIN_SECONDS = 60;
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_S3_REGION = 'us-east-1';
export const DEFAULT_CONFIG_PATH = 'config/bootc-iso.yaml';

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (problem: string): Parsed<never> => ({ ok: false, problem });

/** One environment variable: unset and empty both mean "use the default"; anything else goes through `parse`. */
function envVar<T>(parse: (raw: string) => Parsed<T>) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T | undefined => {
      if (raw === undefined || raw === '') return undefined;
      const result = parse(raw);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.problem });
      return z.NEVER;
    });
}

function parseRedisUrl(raw: string): Parsed<string> {
  const fix = 'set a redis:// or rediss:// URL such as redis://127.0.0.1:6379';
  // The URL may hold a password, so it is never echoed back.
  if (!URL.canParse(raw)) return fail(`is set but is not a valid URL; ${fix}`);
  const url = new URL(raw);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return fail(`is set but uses the scheme "${url.protocol}"; ${fix}`);
  }
  if (url.hostname === '') return fail(`is set but names no host; ${fix}`);
  return ok(raw);
}

function parseHttpUrl(raw: string): Parsed<string> {
  const fix = 'set an http:// or https:// URL such as https://s3.example.com:9000';
  if (!URL.canParse(raw)) return fail(`"${raw}" is not a valid URL; ${fix}`);
  const url = new URL(raw);
  if (url.username !== '' || url.password !== '') {
    return fail(
      'is set but contains credentials; remove them and use S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(`"${raw}" is not http(s); ${fix}`);
  if (url.search !== '' || url.hash !== '') return fail(`"${raw}" has a query or fragment; ${fix}`);
  return ok(raw.replace(/\/+$/, ''));
}

function parseBoolean(raw: string): Parsed<boolean> {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return ok(true);
  if (['false', '0', 'no'].includes(value)) return ok(false);
  return fail(`"${raw}" is not a boolean; set true or false (1/0 and yes/no also work)`);
}

function parseLinkTtl(raw: string): Parsed<number> {
  const fix = `set a value between ${LINK_TTL_MIN_SECONDS} and ${LINK_TTL_MAX_SECONDS}`;
  if (!/^\d+$/.test(raw.trim())) return fail(`"${raw}" is not a whole number of seconds; ${fix}`);
  const value = Number(raw);
  if (value > LINK_TTL_MAX_SECONDS) {
    return fail(`${value} is over the S3 presign maximum of ${LINK_TTL_MAX_SECONDS} (7 days); ${fix}`);
  }
  if (value < LINK_TTL_MIN_SECONDS)
    return fail(`${value} is under the minimum of ${LINK_TTL_MIN_SECONDS}; ${fix}`);
  return ok(value);
}

function parseLogLevel(raw: string): Parsed<LogLevel> {
  const level = LOG_LEVELS.find((l) => l === raw.trim().toLowerCase());
  return level ? ok(level) : fail(`"${raw}" is not a log level; set one of ${LOG_LEVELS.join(', ')}`);
}

function matching(pattern: RegExp, what: string): (raw: string) => Parsed<string> {
  return (raw) => (pattern.test(raw) ? ok(raw) : fail(`"${raw}" is not ${what}`));
}

/** Credentials are checked for shape only and never echoed back. */
function credential(raw: string): Parsed<string> {
  if (/\s/.test(raw)) return fail('is set but contains whitespace (a stray newline?); set it without spaces');
  return ok(raw);
}

export const EnvSchema = z
  .object({
    REDIS_URL: envVar(parseRedisUrl),
    S3_ENDPOINT: envVar(parseHttpUrl),
    S3_REGION: envVar(matching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a region name; set e.g. us-east-1')),
    S3_BUCKET: envVar(
      matching(
        /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'a valid bucket name; use 3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit',
      ),
    ),
    S3_ACCESS_KEY_ID: envVar(credential),
    S3_SECRET_ACCESS_KEY: envVar(credential),
    S3_FORCE_PATH_STYLE: envVar(parseBoolean),
    S3_PUBLIC_ENDPOINT: envVar(parseHttpUrl),
    LINK_TTL_SECONDS: envVar(parseLinkTtl),
    BOOTC_ISO_CONFIG: envVar((raw) => ok(raw)),
    LOG_LEVEL: envVar(parseLogLevel),
    WORKER_NAME: envVar(
      matching(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
        'a valid worker name; use up to 128 letters, digits, ".", "_" and "-", starting with a letter or digit',
      ),
    ),
  })
  .transform((env) => ({
    redisUrl: env.REDIS_URL ?? DEFAULT_REDIS_URL,
    s3: env.S3_BUCKET === undefined ? undefined : toS3Settings(env, env.S3_BUCKET),
    linkTtlSeconds: env.LINK_TTL_SECONDS ?? LINK_TTL_MAX_SECONDS,
    logLevel: env.LOG_LEVEL ?? 'info',
    workerName: env.WORKER_NAME ?? (hostname() || 'worker'),
    /** BOOTC_ISO_CONFIG as written, before it is resolved against the working directory. */
    configFile: env.BOOTC_ISO_CONFIG,
  }));
export type EnvSettings = z.output<typeof EnvSchema>;

export interface S3Settings {
  /** Unset means AWS itself. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Both or neither: neither means the AWS SDK default credential chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** The host download links are signed against, when it differs from `endpoint`. */
  publicEndpoint?: string;
}

function toS3Settings(
  env: {
    S3_ENDPOINT?: string | undefined;
    S3_REGION?: string | undefined;
    S3_ACCESS_KEY_ID?: string | undefined;
    S3_SECRET_ACCESS_KEY?: string | undefined;
    S3_FORCE_PATH_STYLE?: boolean | undefined;
    S3_PUBLIC_ENDPOINT?: string | undefined;
  },
  bucket: string,
): S3Settings {
  return {
    ...(env.S3_ENDPOINT === undefined ? {} : { endpoint: env.S3_ENDPOINT }),
    region: env.S3_REGION ?? DEFAULT_S3_REGION,
    bucket,
    ...(env.S3_ACCESS_KEY_ID === undefined ? {} : { accessKeyId: env.S3_ACCESS_KEY_ID }),
    ...(env.S3_SECRET_ACCESS_KEY === undefined ? {} : { secretAccessKey: env.S3_SECRET_ACCESS_KEY }),
    forcePathStyle: env.S3_FORCE_PATH_STYLE ?? false,
    ...(env.S3_PUBLIC_ENDPOINT === undefined ? {} : { publicEndpoint: env.S3_PUBLIC_ENDPOINT }),
  };
}

const S3_DEPENDENT_VARS = [
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  'S3_PUBLIC_ENDPOINT',
] as const;

/** Rules between S3 variables; they only look at which variables are set, so they run even when values are bad. */
export function checkS3Combination(env: Record<string, string | undefined>): string[] {
  const isSet = (name: string) => (env[name] ?? '') !== '';
  if (!isSet('S3_BUCKET')) {
    const orphans = S3_DEPENDENT_VARS.filter(isSet);
    if (orphans.length === 0) return [];
    return [
      `S3_BUCKET: is not set, so S3 is off and ${orphans.join(', ')} would be ignored; ` +
        `set S3_BUCKET to use S3, or unset ${orphans.length === 1 ? 'it' : 'them'}`,
    ];
  }
  const both = 'set both, or unset both to use the AWS SDK default credential chain';
  if (isSet('S3_ACCESS_KEY_ID') && !isSet('S3_SECRET_ACCESS_KEY')) {
    return [`S3_SECRET_ACCESS_KEY: is not set but S3_ACCESS_KEY_ID is; ${both}`];
  }
  if (!isSet('S3_ACCESS_KEY_ID') && isSet('S3_SECRET_ACCESS_KEY')) {
    return [`S3_ACCESS_KEY_ID: is not set but S3_SECRET_ACCESS_KEY is; ${both}`];
  }
  return [];
}
