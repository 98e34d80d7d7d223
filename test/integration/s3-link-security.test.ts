import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactStore } from '../../src/storage/artifact-store.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { type S3Handle, startS3 } from '../testbed/index.ts';

// The bucket is never listed or read without a signed link; a tampered or expired link is refused.
// The testbed's S3 verifies signatures like AWS and MinIO do (test/testbed/s3-signature-guard.ts).

let s3: S3Handle;
let store: ArtifactStore;
const ISO_KEY = 'builds/bsecure01/install.iso';
const OTHER_KEY = 'builds/bsecure02/install.iso';
const BODY = 'the ISO bytes';

beforeAll(async () => {
  s3 = await startS3({ bucket: 'private-artifacts' });
  store = createS3Store({ ...s3, forcePathStyle: true });
  await store.putObject(ISO_KEY, BODY, 'application/x-iso9660-image');
  await store.putObject(OTHER_KEY, 'another build', 'application/x-iso9660-image');
});

afterAll(async () => {
  await s3?.stop();
});

const status = async (url: string, method = 'GET') => (await fetch(url, { method })).status;

function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.toString();
}

describe('download links and the bucket', () => {
  it('serves a valid presigned link, and refuses anonymous, tampered, expired and foreign-signed requests', async () => {
    const { url } = await store.presignGet(ISO_KEY, { ttlSeconds: 600, filename: 'b.iso' });
    const valid = await fetch(url);
    expect(valid.status).toBe(200);
    expect(await valid.text()).toBe(BODY);

    const bucketUrl = `${s3.endpoint}/${s3.bucket}`;
    const signature = new URL(url).searchParams.get('X-Amz-Signature') ?? '';
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
    const short = await store.presignGet(ISO_KEY, { ttlSeconds: 1 });
    const wrongSecret = createS3Store({ ...s3, secretAccessKey: 'not-the-secret', forcePathStyle: true });
    const forged = await wrongSecret.presignGet(ISO_KEY, { ttlSeconds: 600 });
    await new Promise((r) => setTimeout(r, 2100));

    const attempts: [string, string, string?][] = [
      ['anonymous GET of the object', `${bucketUrl}/${ISO_KEY}`],
      ['anonymous HEAD of the object', `${bucketUrl}/${ISO_KEY}`, 'HEAD'],
      ['anonymous listing (v2)', `${bucketUrl}?list-type=2`],
      ['anonymous listing (v1)', `${bucketUrl}/`],
      ['anonymous list of buckets', `${s3.endpoint}/`],
      ['signature altered', withParam(url, 'X-Amz-Signature', flipped)],
      ['link moved to another object', url.replace(ISO_KEY, OTHER_KEY)],
      ['lifetime extended', withParam(url, 'X-Amz-Expires', '604800')],
      [
        'download name changed',
        withParam(url, 'response-content-disposition', 'attachment; filename="x.exe"'),
      ],
      ['signature removed', withParam(url, 'X-Amz-Signature', '')],
      ['expired link', short.url],
      ['signed with another secret', forged.url],
      ['GET link used for PUT', url, 'PUT'],
    ];
    const results = await Promise.all(attempts.map(async ([, u, m]) => status(u, m)));
    const refused = results.filter((s) => s === 403 || s === 400).length;
    console.log(
      `S3 links: forged or anonymous requests refused ${refused}/${attempts.length} (statuses ${JSON.stringify([...new Set(results)])}); valid link served 1/1`,
    );
    const served = attempts.filter((_, i) => results[i] !== 403 && results[i] !== 400).map(([what]) => what);
    expect(served).toEqual([]);
    // The object is untouched by the PUT attempt.
    expect(await (await fetch((await store.presignGet(ISO_KEY, { ttlSeconds: 60 })).url)).text()).toBe(BODY);
  });
});
