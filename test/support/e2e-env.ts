import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Testbed } from '../testbed/index.ts';

export const WORKER_NAME = 'e2e-host';

/**
 * Writes a bootc-iso.yaml for the testbed (stand-in builder, demo preset, the registry with its credentials in a
 * password file) and returns the environment every process of the end-to-end tests runs with.
 */
export async function writeE2eConfig(
  tb: Testbed,
  dir: string,
  credentials: { username: string; password: string },
  options: {
    buildSeconds?: number;
    extraYaml?: string;
    minFreeDiskGiB?: number;
    /** More entries under `presets:`, one YAML line each (`name: { … }`). */
    presets?: string[];
  } = {},
): Promise<{ env: Record<string, string>; passwordFile: string }> {
  const passwordFile = join(dir, 'registry.pass');
  await writeFile(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
  const host = tb.registry.host;
  await writeFile(
    join(dir, 'bootc-iso.yaml'),
    [
      'builders:',
      `  standin: { image: "${tb.builderRef}", features: [iso-customizations, bootc-installer, yescrypt] }`,
      'defaultBuilder: standin',
      'presets:',
      `  demo: { image: "${tb.sourceRef}", builder: standin, description: "demo OS" }`,
      `  slow: { image: "${tb.faultRefs.slow}", builder: standin, description: "slow build" }`,
      `  broken: { image: "${tb.faultRefs.fail}", builder: standin, description: "fails" }`,
      ...(options.presets ?? []).map((line) => `  ${line}`),
      `allowedRegistries: ["${host}"]`,
      'registries:',
      `  "${host}": { username: "${credentials.username}", passwordFile: "${passwordFile}", insecure: true }`,
      'worker:',
      '  concurrency: 1',
      `  workDir: "${join(dir, 'work')}"`,
      `  containerStorage: "${tb.podman.graphRoot}"`,
      `  minFreeDiskGiB: ${options.minFreeDiskGiB ?? 0.5}`,
      `  timeouts: { loginSeconds: 30, pullSeconds: 120, buildSeconds: ${options.buildSeconds ?? 120}, uploadSeconds: 120 }`,
      '  attempts: 2',
      '  backoffSeconds: 1',
      // Tests count pulls and registry requests; the warm-up has its own test (integration/warm-images).
      '  warm: { intervalMinutes: 0 }',
      options.extraYaml ?? '',
      '',
    ].join('\n'),
  );
  const env = {
    ...tb.podman.env,
    REDIS_URL: tb.redis.url,
    S3_ENDPOINT: tb.s3.endpoint,
    S3_REGION: tb.s3.region,
    S3_BUCKET: tb.s3.bucket,
    S3_ACCESS_KEY_ID: tb.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: tb.s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    LINK_TTL_SECONDS: '3600',
    BOOTC_ISO_CONFIG: join(dir, 'bootc-iso.yaml'),
    WORKER_NAME: WORKER_NAME,
    LOG_LEVEL: 'info',
  };
  return { env, passwordFile };
}

/**
 * Settings that would make a host something other than a fresh single host (an external Redis or S3, a config
 * file, other Slack tokens): emptied for tests of `npm start` on a fresh machine, in case the runner's
 * environment has them (empty counts as unset).
 */
export const FRESH_HOST_UNSET = [
  'REDIS_URL',
  'REDIS_SENTINELS',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_BUCKET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  'S3_PUBLIC_ENDPOINT',
  'ARTIFACT_DIR',
  'PUBLIC_URL',
  'LINK_SIGNING_KEY',
] as const;
