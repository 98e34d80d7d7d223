import { join, resolve } from 'node:path';

/** Settings of the single-host mode: embedded Redis data, the local artifact directory and its download links. */
export interface LocalSettings {
  /** Absolute. The embedded Redis keeps its data in `redis/` here, and the generated link-signing key lives here. */
  dataDir: string;
  /** Absolute. Where the local artifact store keeps finished builds when S3 is not configured. */
  artifactDir: string;
  /** True when ARTIFACT_DIR was set: `npm run bot` / `npm run worker` use the local store only then. */
  artifactDirSet: boolean;
  /** Base of download links (`<publicUrl>/downloads/<key>?...`), without a trailing slash. */
  publicUrl: string;
  /** From LINK_SIGNING_KEY; unset means a key generated once and kept in `<dataDir>/link-signing.key`. */
  linkSigningKey?: string;
}

export const DEFAULT_DATA_DIR = 'data';
export const LINK_SIGNING_KEY_MIN_LENGTH = 32;
const DEFAULT_PORT = '3000';

/**
 * DATA_DIR, ARTIFACT_DIR, PUBLIC_URL and LINK_SIGNING_KEY. Relative directories are resolved against `cwd`.
 * Returns problems instead of throwing so loadConfig can report everything at once.
 */
export function readLocalEnv(
  env: Record<string, string | undefined>,
  cwd: string,
): { local: LocalSettings; problems: string[]; secrets: string[] } {
  const get = (name: string) => (env[name] === '' ? undefined : env[name]);
  const problems: string[] = [];
  const rawDataDir = get('DATA_DIR');
  const rawArtifactDir = get('ARTIFACT_DIR');
  const rawPublicUrl = get('PUBLIC_URL');
  const linkSigningKey = get('LINK_SIGNING_KEY');
  const secrets = linkSigningKey === undefined ? [] : [linkSigningKey];

  const dataDir = resolve(cwd, rawDataDir ?? DEFAULT_DATA_DIR);
  const artifactDir =
    rawArtifactDir === undefined ? join(dataDir, 'artifacts') : resolve(cwd, rawArtifactDir);
  for (const [name, raw] of [
    ['DATA_DIR', rawDataDir],
    ['ARTIFACT_DIR', rawArtifactDir],
  ] as const) {
    if (raw !== undefined && [...raw].some((c) => c.charCodeAt(0) < 0x20)) {
      problems.push(`${name}: contains a control character (a stray newline?); set a plain directory path`);
    }
  }
  if (rawArtifactDir !== undefined && get('S3_BUCKET') !== undefined) {
    problems.push(
      'ARTIFACT_DIR: is set but so is S3_BUCKET, and artifacts go to one place only; unset ARTIFACT_DIR to use S3, ' +
        'or unset S3_BUCKET to keep artifacts in the directory',
    );
  }

  const rawPort = get('PORT');
  const port = rawPort !== undefined && /^\d{1,5}$/.test(rawPort) ? rawPort : DEFAULT_PORT;
  let publicUrl = `http://localhost:${port}`;
  if (rawPublicUrl !== undefined) {
    const problem = publicUrlProblem(rawPublicUrl);
    if (problem) problems.push(`PUBLIC_URL: ${problem}`);
    else publicUrl = rawPublicUrl.replace(/\/+$/, '');
  }

  if (linkSigningKey !== undefined) {
    // The key is never echoed back.
    if (/\s/.test(linkSigningKey)) {
      problems.push(
        'LINK_SIGNING_KEY: is set but contains whitespace (a stray newline?); set it without spaces',
      );
    } else if (linkSigningKey.length < LINK_SIGNING_KEY_MIN_LENGTH) {
      problems.push(
        `LINK_SIGNING_KEY: is set but shorter than ${LINK_SIGNING_KEY_MIN_LENGTH} characters; ` +
          'use e.g. the output of `openssl rand -hex 32`, or unset it to have one generated in DATA_DIR',
      );
    }
  }

  return {
    local: {
      dataDir,
      artifactDir,
      artifactDirSet: rawArtifactDir !== undefined,
      publicUrl,
      ...(linkSigningKey === undefined ? {} : { linkSigningKey }),
    },
    problems,
    secrets,
  };
}

function publicUrlProblem(raw: string): string | undefined {
  const fix = 'set the http(s) address people reach the bot at, e.g. https://bootc-iso.example.com';
  if (!URL.canParse(raw)) return `"${raw}" is not a valid URL; ${fix}`;
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${raw}" is not http(s); ${fix}`;
  if (url.username !== '' || url.password !== '') return `is set but contains credentials; ${fix}`;
  if (url.search !== '' || url.hash !== '') return `"${raw}" has a query or fragment; ${fix}`;
  return undefined;
}
