import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.ts';
import type { ArtifactStore } from '../../src/storage/artifact-store.ts';
import { createS3Store, PART_SIZE } from '../../src/storage/s3-store.ts';
import { type S3Handle, startS3 } from '../testbed/index.ts';

let s3: S3Handle;
let store: ArtifactStore;
let dir: string;

beforeAll(async () => {
  s3 = await startS3({ bucket: 'artifacts' });
  store = createS3Store({ ...s3, forcePathStyle: true });
  dir = await mkdtemp(join(tmpdir(), 's3-store-'));
});

afterAll(async () => {
  await s3?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function randomFile(name: string, size: number): Promise<{ path: string; sha256: string }> {
  const bytes = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

describe('the S3 artifact store against a real S3 protocol server', () => {
  it('uploads a multipart file and reports the sha256 of exactly the bytes stored', async () => {
    const size = PART_SIZE * 2 + 12345;
    const file = await randomFile('multi.iso', size);
    const progress: number[] = [];
    const uploaded = await store.uploadFile('builds/t1/install.iso', file.path, {
      contentType: 'application/x-iso9660-image',
      onProgress: (loaded) => progress.push(loaded),
    });
    expect(uploaded).toEqual({ key: 'builds/t1/install.iso', size, sha256: file.sha256 });
    expect(progress.at(-1)).toBe(size);
    const link = await store.presignGet('builds/t1/install.iso', {
      ttlSeconds: 600,
      filename: 't1-install.iso',
    });
    const response = await fetch(link.url);
    expect(response.status).toBe(200);
    const body = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(file.sha256);
  });

  it('stores a small file byte for byte (no aws-chunked framing)', async () => {
    const file = await randomFile('small.log', 13_000);
    const uploaded = await store.uploadFile('builds/t2/build.log', file.path, { contentType: 'text/plain' });
    expect(uploaded.sha256).toBe(file.sha256);
    expect(await store.headObject('builds/t2/build.log')).toEqual({ size: 13_000 });
  });

  it('stops an upload when its signal aborts and reports a cancellation, leaving no object', async () => {
    const file = await randomFile('cancelled.iso', PART_SIZE * 3);
    const controller = new AbortController();
    const upload = store.uploadFile('builds/t3/install.iso', file.path, {
      contentType: 'application/x-iso9660-image',
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    setTimeout(() => controller.abort(), 50);
    await expect(upload).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await store.headObject('builds/t3/install.iso')).toBeUndefined();
  });

  it('answers undefined for a missing object and signs links that expire', async () => {
    expect(await store.headObject('builds/none/install.iso')).toBeUndefined();
    await store.putObject('builds/t4/manifest.json', '{"a":1}', 'application/json');
    const link = await store.presignGet('builds/t4/manifest.json', { ttlSeconds: 1 });
    expect(link.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await fetch(link.url)).status).toBe(403);
  });

  it('reports an unreachable store as a retryable upload failure', async () => {
    const down = createS3Store({ ...s3, endpoint: 'http://127.0.0.1:9', forcePathStyle: true });
    const file = await randomFile('down.log', 100);
    const error = await down
      .uploadFile('x', file.path, { contentType: 'text/plain' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('UPLOAD_FAILED');
    expect((error as AppError).retryable).toBe(true);
  });
});

describe('a misconfigured store fails at once, not retried, naming the setting to fix', () => {
  it.each([
    ['a wrong access key', { accessKeyId: 'NOT-A-KEY' }, 'InvalidAccessKeyId', 'S3_ACCESS_KEY_ID'],
    [
      'a wrong secret key',
      { secretAccessKey: 'wrong-secret' },
      'SignatureDoesNotMatch',
      'S3_SECRET_ACCESS_KEY',
    ],
    ['a missing bucket', { bucket: 'no-such-bucket' }, 'NoSuchBucket', 'S3_BUCKET'],
  ])('%s', async (_what, change, s3Code, setting) => {
    const wrong = createS3Store({ ...s3, forcePathStyle: true, ...change });
    const file = await randomFile(`misconfigured-${s3Code}.log`, 100);
    const error = await wrong
      .uploadFile('builds/bad/build.log', file.path, { contentType: 'text/plain' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('STORAGE_MISCONFIGURED');
    expect((error as AppError).retryable).toBe(false);
    expect((error as AppError).message).toContain(s3Code);
    expect((error as AppError).message).toContain(setting);
    const put = await wrong
      .putObject('builds/bad/manifest.json', '{}', 'application/json')
      .catch((e: unknown) => e);
    expect((put as AppError).code).toBe('STORAGE_MISCONFIGURED');
  });
});
