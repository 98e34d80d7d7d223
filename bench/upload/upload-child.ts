// One upload in a process of its own, so its peak RSS is the uploader's alone. Prints one JSON line:
// { ms, bytes, sha256?, maxRssMiB (process.resourceUsage().maxRSS), vmHwmMiB (/proc/self/status VmHWM) }.
//   mode=project: the project's uploader, createS3Store(...).uploadFile (16 MiB × 4, one-pass sha256, HEAD check)
//   mode=lib:     the same pipeline written here with @aws-sdk/lib-storage directly, `hash` on or off and any
//                 part size / queue size, for the no-hash baseline and for tuning.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createS3Store } from '../../src/storage/s3-store.ts';

interface Args {
  mode: 'project' | 'lib';
  file: string;
  key: string;
  hash: boolean;
  partSize: number;
  queueSize: number;
  /** highWaterMark of the PassThrough between the file and the uploader; the project uses the part size. */
  bodyHighWaterMark?: number;
  endpoint: string;
  bucket: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const s3 = {
  endpoint: args.endpoint,
  region: 'us-east-1',
  bucket: args.bucket,
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  forcePathStyle: true,
};

async function libUpload(): Promise<{ sha256?: string }> {
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const { size } = await stat(args.file);
  const hash = args.hash ? createHash('sha256') : undefined;
  const body = new PassThrough({ highWaterMark: args.bodyHighWaterMark ?? args.partSize });
  const feed = hash
    ? pipeline(
        createReadStream(args.file, { highWaterMark: 1024 * 1024 }),
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            yield chunk;
          }
        },
        body,
      )
    : pipeline(createReadStream(args.file, { highWaterMark: 1024 * 1024 }), body);
  const upload = new Upload({
    client,
    params: { Bucket: s3.bucket, Key: args.key, Body: body, ContentLength: size },
    partSize: args.partSize,
    queueSize: args.queueSize,
    leavePartsOnError: false,
  });
  await Promise.all([upload.done(), feed]);
  const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: args.key }));
  if (head.ContentLength !== size) throw new Error(`stored ${head.ContentLength} bytes instead of ${size}`);
  return hash ? { sha256: hash.digest('hex') } : {};
}

const start = performance.now();
let sha256: string | undefined;
if (args.mode === 'project') {
  const store = createS3Store(s3);
  ({ sha256 } = await store.uploadFile(args.key, args.file, { contentType: 'application/x-iso9660-image' }));
} else {
  ({ sha256 } = await libUpload());
}
const ms = performance.now() - start;
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
process.stdout.write(
  `${JSON.stringify({
    ms,
    bytes: (await stat(args.file)).size,
    ...(sha256 ? { sha256 } : {}),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    vmHwmMiB: hwm ? Number(hwm) / 1024 : undefined,
  })}\n`,
);
process.exit(0);
