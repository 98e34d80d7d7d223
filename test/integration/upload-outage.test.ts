import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.ts';
import { createS3Store, PART_SIZE } from '../../src/storage/s3-store.ts';
import { uploadImage } from '../../workers/pipeline/steps/upload.ts';
import { type S3Handle, startS3 } from '../testbed/index.ts';

let s3: S3Handle;
let dir: string;
let iso: { path: string; sha256: string; size: number };

/** The parts of a build context an image upload uses. */
function uploadContext(): Parameters<typeof uploadImage>[0] {
  return {
    store: createS3Store({ ...s3, forcePathStyle: true }),
    logger: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    progress: () => undefined,
  };
}

beforeAll(async () => {
  s3 = await startS3();
  dir = await mkdtemp(join(tmpdir(), 'upload-outage-'));
  const bytes = randomBytes(PART_SIZE + 4096);
  iso = {
    path: join(dir, 'install.iso'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
  };
  await writeFile(iso.path, bytes);
});

afterAll(async () => {
  await s3?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('S3 outages during the upload', () => {
  it('retries with backoff while storage is down and completes once it is back', async () => {
    await s3.pause();
    setTimeout(() => void s3.resume(), 2500);
    const start = Date.now();
    const uploaded = await uploadImage(uploadContext(), 'iso', 'builds/boutage01/install.iso', iso.path);
    expect(uploaded).toEqual({ key: 'builds/boutage01/install.iso', size: iso.size, sha256: iso.sha256 });
    console.log(`s3 outage: 1/1 uploads completed after a 2.5 s outage (${Date.now() - start} ms in all)`);
  });

  it('fails with a clear, retryable upload error once the retry budget is spent, keeping the ISO on disk until then', async () => {
    await s3.pause();
    try {
      const error = await uploadImage(uploadContext(), 'iso', 'builds/boutage02/install.iso', iso.path).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('UPLOAD_FAILED');
      expect((error as AppError).message).toContain('upload of builds/boutage02/install.iso failed');
      expect((error as AppError).retryable).toBe(true);
    } finally {
      await s3.resume();
    }
  }, 120_000);
});
