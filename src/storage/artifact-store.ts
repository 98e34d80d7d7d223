import { type ImageType, imageTypeSpec } from '../domain/image-types.ts';

/** Where finished builds live. S3 today; a local directory store implements the same interface. */
export interface UploadedObject {
  key: string;
  size: number;
  /** Hex sha256 computed while the bytes streamed to storage (one pass, no second read). */
  sha256: string;
}

export interface UploadFileOptions {
  contentType: string;
  signal?: AbortSignal;
  onProgress?: (loaded: number, total: number) => void;
}

export interface ArtifactStore {
  /** Streams a file to `key`; the object exists under `key` only once the whole file has arrived. */
  uploadFile(key: string, path: string, options: UploadFileOptions): Promise<UploadedObject>;
  putObject(key: string, body: string | Buffer, contentType: string): Promise<UploadedObject>;
  /** Size of the object, or undefined when it does not exist. */
  headObject(key: string): Promise<{ size: number } | undefined>;
  getObjectText(key: string): Promise<string>;
  /** Every object key under `prefix` (operator tools only: a listing is never on a build's path). */
  listKeys(prefix: string): AsyncIterable<string>;
  /** A time-limited GET link that works without credentials. */
  presignGet(
    key: string,
    options: { ttlSeconds: number; filename?: string },
  ): Promise<{ url: string; expiresAt: Date }>;
}

/** Deterministic keys: a retried build overwrites its own objects and never anyone else's. */
export function artifactKeys(buildId: string): { prefix: string; log: string; manifest: string } {
  const prefix = `builds/${buildId}`;
  return { prefix, log: `${prefix}/build.log`, manifest: `${prefix}/manifest.json` };
}

/**
 * Key of one image of a build. The ISO of an `iso` build keeps the key it always had; every other type lives in a
 * directory of its own, so one build may store several images that the builder gives the same file name.
 */
export function imageKey(buildId: string, type: ImageType): string {
  const { prefix } = artifactKeys(buildId);
  if (type === 'iso') return `${prefix}/install.iso`;
  return `${prefix}/${type}/${imageTypeSpec(type).fileName}`;
}

/**
 * Key of one image uploaded by one attempt: attempts never share keys, so an attempt that lost its lock and woke
 * up later cannot overwrite the images of the attempt that finished. The manifest names the keys that count.
 */
export function attemptImageKey(buildId: string, attemptTag: string | undefined, type: ImageType): string {
  const finalKey = imageKey(buildId, type);
  if (!attemptTag) return finalKey;
  const { prefix } = artifactKeys(buildId);
  return `${prefix}/attempts/${attemptTag}/${finalKey.slice(prefix.length + 1)}`;
}
