import type { SigningKey } from './artifact-key.ts';
import { type ChecksumEntry, formatSha256Sums, PROVENANCE, SHA256SUMS, SHA256SUMS_SIG } from './checksums.ts';
import { IN_TOTO_PAYLOAD_TYPE, signBlob, signEnvelope } from './dsse.ts';
import { type ProvenanceInput, provenanceStatement } from './provenance.ts';

/** A file to publish next to the build's artifacts. */
export interface TrustFile {
  filename: string;
  contentType: string;
  body: Buffer;
}

export interface TrustFiles {
  files: TrustFile[];
  /** The key id that signed them; undefined for an unsigned build (no key configured). */
  keyId: string | undefined;
  /** One line for the build's messages: signed by which key, or why not. */
  note: string;
}

/**
 * The trust files of a finished build: SHA256SUMS always; with a key, also SHA256SUMS.sig and the signed
 * provenance. Without a key the checksums still catch a damaged download, but not a replaced one, and the note says
 * so. The provenance is only published signed: an unsigned claim of origin is worth nothing.
 */
export function makeTrustFiles(
  artifacts: ChecksumEntry[],
  key: SigningKey | undefined,
  provenance: Omit<ProvenanceInput, 'subjects'>,
): TrustFiles {
  const sums = Buffer.from(formatSha256Sums(artifacts), 'utf8');
  const files: TrustFile[] = [{ filename: SHA256SUMS, contentType: 'text/plain; charset=utf-8', body: sums }];
  if (!key) {
    return {
      files,
      keyId: undefined,
      note: 'checksums unsigned: no signing key is configured on the build host',
    };
  }
  const statement = provenanceStatement({ ...provenance, subjects: artifacts });
  const envelope = signEnvelope(key, IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), 'utf8'));
  files.push(
    { filename: SHA256SUMS_SIG, contentType: 'text/plain', body: Buffer.from(`${signBlob(key, sums)}\n`) },
    {
      filename: PROVENANCE,
      contentType: 'application/json',
      body: Buffer.from(`${JSON.stringify(envelope, null, 2)}\n`),
    },
  );
  return { files, keyId: key.keyId, note: `signed with key ${key.keyId}` };
}
