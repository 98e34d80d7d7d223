import { AppError } from '../domain/errors.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import type { SigningKey } from './artifact-key.ts';
import { loadSigningKey } from './artifact-key.ts';
import { buildObjectKey } from './bundle-sources.ts';
import type { ChecksumEntry } from './checksums.ts';
import { PROVENANCE, SHA256SUMS, SHA256SUMS_SIG } from './checksums.ts';
import type { ProvenanceInput } from './provenance.ts';
import { makeTrustFiles } from './trust-files.ts';

/** An entry of a build's artifact list, as stored in the job result and manifest.json. */
export interface TrustArtifact {
  role: 'checksums' | 'checksums-signature' | 'provenance';
  type: string;
  key: string;
  filename: string;
  size: number;
  sha256: string;
}

const ROLE_OF: Record<string, TrustArtifact['role']> = {
  [SHA256SUMS]: 'checksums',
  [SHA256SUMS_SIG]: 'checksums-signature',
  [PROVENANCE]: 'provenance',
};

/** The worker's signing key, or undefined when none is configured (builds then publish unsigned checksums). */
export async function loadConfiguredSigningKey(
  signing: { privateKeyFile?: string | undefined } | undefined,
): Promise<SigningKey | undefined> {
  return signing?.privateKeyFile ? loadSigningKey(signing.privateKeyFile) : undefined;
}

/**
 * Worker start: the configured private key must load, since a worker whose key does not would take builds only to
 * fail every one of them when it signs. Throws CONFIG_INVALID naming the setting, the file and what is wrong (never
 * the key's contents).
 */
export async function requireConfiguredSigningKey(
  signing: { privateKeyFile?: string | undefined } | undefined,
): Promise<SigningKey | undefined> {
  try {
    return await loadConfiguredSigningKey(signing);
  } catch (error) {
    const why = error instanceof AppError ? error.message : String(error);
    throw new AppError(
      'CONFIG_INVALID',
      `signing.privateKeyFile: ${why}. The worker takes no builds with a signing key it cannot use: fix the key, ` +
        'or remove signing.privateKeyFile to publish unsigned checksums',
      { cause: error },
    );
  }
}

/**
 * Writes SHA256SUMS (and, with a key, its signature and the provenance) next to the build's artifacts under
 * `builds/<id>/`, after every artifact it names has been uploaded, and returns their entries for the artifact list.
 */
export async function publishTrustFiles(o: {
  store: ArtifactStore;
  buildId: string;
  artifacts: ChecksumEntry[];
  key: SigningKey | undefined;
  provenance: Omit<ProvenanceInput, 'subjects' | 'buildId'>;
}): Promise<{ artifacts: TrustArtifact[]; keyId: string | undefined; note: string }> {
  const trust = makeTrustFiles(o.artifacts, o.key, { ...o.provenance, buildId: o.buildId });
  const artifacts: TrustArtifact[] = [];
  for (const file of trust.files) {
    const key = buildObjectKey(o.buildId, file.filename);
    const uploaded = await o.store.putObject(key, file.body, file.contentType);
    artifacts.push({
      role: ROLE_OF[file.filename] as TrustArtifact['role'],
      type: file.contentType,
      key,
      filename: file.filename,
      size: uploaded.size,
      sha256: uploaded.sha256,
    });
  }
  return { artifacts, keyId: trust.keyId, note: trust.note };
}
