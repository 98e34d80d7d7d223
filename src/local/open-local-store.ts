import { mkdir } from 'node:fs/promises';
import type { Config } from '../config/load-config.ts';
import type { LocalSettings } from '../config/local-env.ts';
import { AppError } from '../domain/errors.ts';
import { createLocalStore, type LocalStore } from '../storage/local-store.ts';
import { loadSigningKey } from './signing-key.ts';

/** The local artifact store of ARTIFACT_DIR, with its directory created and its signing key loaded. */
export async function openLocalStore(local: LocalSettings): Promise<LocalStore> {
  try {
    await mkdir(local.artifactDir, { recursive: true, mode: 0o750 });
  } catch (error) {
    throw new AppError(
      'CONFIG_INVALID',
      `cannot create the artifact directory ${local.artifactDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}); ` +
        'set ARTIFACT_DIR to a writable directory',
      { cause: error },
    );
  }
  const signingKey = await loadSigningKey(local.dataDir, local.linkSigningKey);
  return createLocalStore({ root: local.artifactDir, publicUrl: local.publicUrl, signingKey });
}

/**
 * For `npm run bot` + `npm run worker` on one host: the local store in ARTIFACT_DIR (a directory both share) when S3
 * is off and ARTIFACT_DIR is set; otherwise undefined, and the roots fall back to S3 as before.
 */
export async function sharedLocalStore(
  config: Pick<Config, 's3' | 'local'>,
): Promise<LocalStore | undefined> {
  return config.s3 || !config.local.artifactDirSet ? undefined : openLocalStore(config.local);
}
