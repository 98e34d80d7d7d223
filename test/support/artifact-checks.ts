import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** What a finished build's manifest.json promises about one stored object. */
interface ManifestObject {
  key: string;
  size: number;
  sha256: string;
}

export interface ArtifactCheck {
  buildId: string;
  /** Every object key the manifest names, the manifest itself included. */
  keys: string[];
  /** Empty when every object exists with the manifest's size and sha256. */
  problems: string[];
}

async function download(client: S3Client, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const chunks: Buffer[] = [];
    for await (const chunk of out.Body as Readable) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is ManifestObject =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as ManifestObject).key === 'string' &&
  typeof (v as ManifestObject).sha256 === 'string';

/**
 * Downloads a finished build's manifest (at `manifestKey`) and every object it names, and compares each object's
 * bytes with the size and sha256 the manifest records.
 */
export async function checkArtifacts(
  s3: { client: S3Client; bucket: string },
  buildId: string,
  manifestKey: string,
): Promise<ArtifactCheck> {
  const problems: string[] = [];
  const raw = await download(s3.client, s3.bucket, manifestKey);
  if (!raw) return { buildId, keys: [manifestKey], problems: [`${buildId}: no manifest at ${manifestKey}`] };
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    return { buildId, keys: [manifestKey], problems: [`${buildId}: manifest is not JSON`] };
  }
  if (manifest.buildId !== buildId)
    problems.push(`${buildId}: manifest names build ${String(manifest.buildId)}`);
  // The named objects (iso, log) and every listed artifact (images, log, checksums, signature, provenance), once.
  const listed = Array.isArray(manifest.artifacts) ? (manifest.artifacts as unknown[]) : [];
  const byKey = new Map<string, { key: string; size: number; sha256: string }>();
  for (const o of [...Object.values(manifest), ...listed].filter(isObject)) byKey.set(o.key, o);
  const objects = [...byKey.values()];
  if (!objects.some((o) => o.key.endsWith('.iso'))) problems.push(`${buildId}: manifest names no ISO`);
  for (const o of objects) {
    const bytes = await download(s3.client, s3.bucket, o.key);
    if (!bytes) {
      problems.push(`${buildId}: ${o.key} is missing`);
      continue;
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== o.sha256) problems.push(`${buildId}: ${o.key} sha256 ${sha} ≠ manifest ${o.sha256}`);
    if (bytes.length !== o.size)
      problems.push(`${buildId}: ${o.key} is ${bytes.length} bytes, manifest ${o.size}`);
  }
  return { buildId, keys: [manifestKey, ...objects.map((o) => o.key)], problems };
}
