import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Settings } from '../config/env-schema.ts';
import { AppError } from '../domain/errors.ts';
import type { ArtifactStore, UploadedObject, UploadFileOptions } from './artifact-store.ts';

/** The S3 settings exactly as loadConfig produces them. */
export type S3StoreConfig = S3Settings;

/**
 * Measured with `npm run bench` (bench/results/latest.md, README "Performance"), 1 MiB stream buffer. Against s3rver
 * on the same machine 12 MiB × 4 matched aws-cli (0.99× at 4 GiB, a flat ~210 MiB RSS), but with 25 or 100 ms added
 * to every request (a distant endpoint) 4 parts in flight left the link idle between parts: 1 GiB took 35 MiB/s at
 * +25 ms and 29 MiB/s at +100 ms, where aws-cli's own setting, 8 MiB × 10, took 42 and 53 MiB/s at a flat ~237 MiB
 * peak (12 MiB × 8 went over 256 MiB). 8 MiB × 10,000 parts allows objects up to 78 GiB.
 */
export const PART_SIZE = 8 * 1024 * 1024;
export const QUEUE_SIZE = 10;
/** Presigned URLs cannot outlive 7 days (MAX_PRESIGNED_TTL in @smithy/signature-v4). */
export const MAX_LINK_TTL_SECONDS = 604_800;

function createClient(config: S3StoreConfig, endpoint: string | undefined): S3Client {
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(endpoint ? { endpoint } : {}),
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
    // S3-compatible stores mishandle the 2025 default checksums (aws-chunked bodies stored as data, B4);
    // we record our own sha256 instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createS3Store(config: S3StoreConfig): ArtifactStore & { client: S3Client } {
  const client = createClient(config, config.endpoint);
  // Signatures cover the host, so links are signed against the endpoint users will actually reach.
  const signer = config.publicEndpoint ? createClient(config, config.publicEndpoint) : client;
  const Bucket = config.bucket;

  async function headObject(key: string): Promise<{ size: number } | undefined> {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (s3ErrorCode(error) === 'NotFound') return undefined;
      throw uploadError(`could not read ${key} from the artifact bucket`, error);
    }
  }

  async function uploadFile(key: string, path: string, options: UploadFileOptions): Promise<UploadedObject> {
    const { size } = await stat(path);
    const hash = createHash('sha256');
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    let loaded = 0;
    // The hash sees every byte on its way to the uploader: one read of a multi-GB file, not two.
    const feed = pipeline(
      createReadStream(path, { highWaterMark: 1024 * 1024 }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          yield chunk;
        }
      },
      body,
      options.signal ? { signal: options.signal } : {},
    );
    const abortController = new AbortController();
    const onAbort = () => abortController.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const upload = new Upload({
      client,
      params: { Bucket, Key: key, Body: body, ContentLength: size, ContentType: options.contentType },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
      abortController,
    });
    upload.on('httpUploadProgress', (p) => {
      loaded = p.loaded ?? loaded;
      options.onProgress?.(loaded, size);
    });
    try {
      await Promise.all([upload.done(), feed]);
    } catch (error) {
      abortController.abort();
      feed.catch(() => undefined);
      if (options.signal?.aborted) throw new AppError('CANCELLED', 'upload stopped: the build was cancelled');
      throw uploadError(`upload of ${key} failed`, error);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    // Trust but verify: a store that mangles bodies (aws-chunked framing, B4) changes the length.
    const head = await headObject(key);
    if (head?.size !== size) {
      throw new AppError(
        'UPLOAD_FAILED',
        `upload of ${key} stored ${head?.size ?? 'no'} bytes instead of ${size}`,
      );
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  async function putObject(key: string, body: string | Buffer, contentType: string): Promise<UploadedObject> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    try {
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: bytes, ContentType: contentType }));
    } catch (error) {
      throw uploadError(`upload of ${key} failed`, error);
    }
    return { key, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async function getObjectText(key: string): Promise<string> {
    const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  }

  async function presignGet(key: string, options: { ttlSeconds: number; filename?: string }) {
    const ttl = Math.min(options.ttlSeconds, MAX_LINK_TTL_SECONDS);
    const command = new GetObjectCommand({
      Bucket,
      Key: key,
      ...(options.filename
        ? { ResponseContentDisposition: `attachment; filename="${options.filename}"` }
        : {}),
    });
    const url = await getSignedUrl(signer, command, { expiresIn: ttl });
    return { url, expiresAt: new Date(Date.now() + ttl * 1000) };
  }

  async function* listKeys(prefix: string): AsyncIterable<string> {
    try {
      for await (const page of paginateListObjectsV2({ client }, { Bucket, Prefix: prefix })) {
        for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
      }
    } catch (error) {
      throw uploadError(`could not list ${prefix} in the artifact bucket`, error);
    }
  }

  return { client, uploadFile, putObject, headObject, getObjectText, presignGet, listKeys };
}

/**
 * Answers that no retry can change: the bucket, the keys or the permissions are wrong. They stop the upload at once
 * and say which setting to fix, so a build's retry never rebuilds an ISO only to be refused by storage again.
 */
const MISCONFIGURED: Record<string, string> = {
  NoSuchBucket: 'the bucket does not exist; create it or fix S3_BUCKET',
  InvalidAccessKeyId: 'the store does not know this access key; fix S3_ACCESS_KEY_ID',
  SignatureDoesNotMatch: 'the secret key does not match the access key; fix S3_SECRET_ACCESS_KEY',
  AccessDenied:
    'the access key may not write to this bucket; grant it s3:PutObject, s3:GetObject and s3:ListBucket on S3_BUCKET, or use other keys',
  InvalidBucketName: 'the bucket name is not valid; fix S3_BUCKET',
  PermanentRedirect:
    'the bucket is in another region or needs another endpoint; fix S3_REGION or S3_ENDPOINT',
  AuthorizationHeaderMalformed: 'the request was signed for the wrong region; fix S3_REGION',
};

/** The S3 error code of an SDK error (`name` for modelled errors, `Code` for others). */
export function s3ErrorCode(error: unknown): string | undefined {
  const e = error as { name?: unknown; Code?: unknown } | undefined;
  if (typeof e?.Code === 'string') return e.Code;
  return typeof e?.name === 'string' ? e.name : undefined;
}

function uploadError(message: string, cause: unknown): AppError {
  const code = s3ErrorCode(cause);
  const fix = code !== undefined && Object.hasOwn(MISCONFIGURED, code) ? MISCONFIGURED[code] : undefined;
  if (fix !== undefined) {
    return new AppError('STORAGE_MISCONFIGURED', `${message}: the artifact store answered ${code}: ${fix}`, {
      cause,
    });
  }
  const detail = cause instanceof Error ? `: ${cause.name} ${cause.message}`.slice(0, 300) : '';
  return new AppError('UPLOAD_FAILED', `${message}${detail}`, { cause });
}
