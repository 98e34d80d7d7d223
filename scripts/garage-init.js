#!/usr/bin/env node
// One-shot set-up of the compose file's Garage S3 server, run by its "s3-init" service from the bot image (plain
// Node, the AWS SDK is already there). Every step is idempotent, so it runs at every `compose up`:
//   1. a single-node layout (Garage serves nothing until its node has a role and capacity),
//   2. the access key of the bot and workers (imported, so .env decides it) and the bucket, key allowed on it,
//   3. the bucket lifecycle: builds/ and cache/ expire after ARTIFACT_EXPIRY_DAYS, and multipart uploads left
//      incomplete are aborted after a day by Garage's daily lifecycle worker.
import { PutBucketLifecycleConfigurationCommand, S3Client } from '@aws-sdk/client-s3';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};
const admin = env('GARAGE_ADMIN_URL', 'http://garage:3903');
const token = env('GARAGE_ADMIN_TOKEN');
const bucket = env('S3_BUCKET', 'bootc-iso');
const keyId = env('S3_ACCESS_KEY_ID');
const secret = env('S3_SECRET_ACCESS_KEY');
const days = Number(env('ARTIFACT_EXPIRY_DAYS', '14'));
const capacity = Number(env('GARAGE_CAPACITY_GB', '100')) * 1e9;

if (!/^GK[0-9a-f]{24}$/.test(keyId) || !/^[0-9a-f]{64}$/.test(secret)) {
  throw new Error(
    'Garage keys have a fixed shape: S3_ACCESS_KEY_ID="GK$(openssl rand -hex 12)", ' +
      'S3_SECRET_ACCESS_KEY="$(openssl rand -hex 32)"',
  );
}

async function call(method, path, body) {
  const response = await fetch(`${admin}/v2/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

async function must(method, path, body) {
  const result = await call(method, path, body);
  if (result.status >= 300) throw new Error(`${method} ${path}: ${result.status} ${result.text}`);
  return result.body;
}

async function retry(what, run, tries = 60) {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (error) {
      if (i >= tries) throw error;
      console.log(`${what}: not yet (${error.message}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

const status = await retry('admin API', () => must('GET', 'GetClusterStatus'));
const layout = await must('GET', 'GetClusterLayout');
if (layout.roles.length === 0) {
  const node = status.nodes[0]?.id;
  await must('POST', 'UpdateClusterLayout', { roles: [{ id: node, zone: 'dc1', capacity, tags: [] }] });
  await must('POST', 'ApplyClusterLayout', { version: layout.version + 1 });
  console.log(`layout: node ${node.slice(0, 16)} with ${capacity / 1e9} GB`);
}

const key = await call('GET', `GetKeyInfo?id=${keyId}`);
if (key.status >= 300)
  await must('POST', 'ImportKey', { accessKeyId: keyId, secretAccessKey: secret, name: 'bootc-iso' });
let info = await call('GET', `GetBucketInfo?globalAlias=${encodeURIComponent(bucket)}`);
if (info.status >= 300) {
  await must('POST', 'CreateBucket', { globalAlias: bucket });
  info = await call('GET', `GetBucketInfo?globalAlias=${encodeURIComponent(bucket)}`);
}
// Owner: the key sets the bucket's lifecycle below.
await must('POST', 'AllowBucketKey', {
  bucketId: info.body.id,
  accessKeyId: keyId,
  permissions: { read: true, write: true, owner: true },
});

const s3 = new S3Client({
  endpoint: env('S3_ENDPOINT', 'http://garage:3900'),
  region: env('S3_REGION', 'us-east-1'),
  forcePathStyle: true,
  credentials: { accessKeyId: keyId, secretAccessKey: secret },
});
const expire = (id, prefix) => ({
  ID: id,
  Status: 'Enabled',
  Filter: { Prefix: prefix },
  Expiration: { Days: days },
});
await retry('lifecycle', () =>
  s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: [
          expire('expire-artifacts', 'builds/'),
          expire('expire-cache-entries', 'cache/'),
          {
            ID: 'abort-incomplete-uploads',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    }),
  ),
);
console.log(
  `bucket ${bucket}: ready; builds/ and cache/ expire after ${days} days, incomplete uploads after 1`,
);
