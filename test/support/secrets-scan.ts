import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';

/**
 * A leak finder for end-to-end tests: every place the system writes to (log lines, Redis, Slack calls, S3 objects,
 * files) is scanned for each secret in the forms a leak takes: as written, JSON-escaped, URL-encoded, base64, and
 * inside a base64 `user:password` (an auth.json or a basic-auth header).
 */

export interface Secret {
  name: string;
  value: string;
  /** For passwords: the user name, so that base64("user:password") is looked for too. */
  user?: string;
}

export interface Occurrence {
  place: string;
  secret: string;
  count: number;
}

export interface SecretScan {
  /** Scans one place (a log line, a Redis key, a Slack call, an object, a file); returns what it found there. */
  scan(place: string, content: string | Buffer): number;
  readonly places: number;
  readonly occurrences: Occurrence[];
  total(): number;
}

function forms(secret: Secret): string[] {
  const out = new Set([
    secret.value,
    JSON.stringify(secret.value).slice(1, -1),
    encodeURIComponent(secret.value),
    Buffer.from(secret.value).toString('base64'),
  ]);
  if (secret.user !== undefined) out.add(Buffer.from(`${secret.user}:${secret.value}`).toString('base64'));
  return [...out];
}

export function createSecretScan(secrets: Secret[]): SecretScan {
  const needles = secrets.map((s) => ({ name: s.name, forms: forms(s) }));
  const occurrences: Occurrence[] = [];
  let places = 0;
  return {
    scan(place, content) {
      places += 1;
      // latin1 keeps every byte of a binary object (an ISO) as one character; the secrets are ASCII.
      const text = typeof content === 'string' ? content : content.toString('latin1');
      let found = 0;
      for (const { name, forms: fs } of needles) {
        const count = fs.reduce((n, f) => n + text.split(f).length - 1, 0);
        if (count > 0) occurrences.push({ place, secret: name, count });
        found += count;
      }
      return found;
    },
    get places() {
      return places;
    },
    occurrences,
    total: () => occurrences.reduce((n, o) => n + o.count, 0),
  };
}

/** Every key in a Redis database with its whole value, whatever its type, as text. */
export async function dumpRedis(url: string): Promise<{ key: string; value: string }[]> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const out: { key: string; value: string }[] = [];
  try {
    let cursor = '0';
    const keys = new Set<string>();
    do {
      const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) keys.add(key);
    } while (cursor !== '0');
    for (const key of [...keys].sort()) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = (await redis.getBuffer(key))?.toString('latin1');
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      else value = (await redis.dumpBuffer(key))?.toString('latin1');
      out.push({ key, value: `${type} ${JSON.stringify(value)}` });
    }
  } finally {
    redis.disconnect();
  }
  return out;
}

/** Every object in an S3 bucket with its bytes. */
export async function dumpBucket(s3: {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}): Promise<{ key: string; body: Buffer }[]> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const out: { key: string; body: Buffer }[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: object.Key }));
        out.push({ key: object.Key, body: Buffer.from((await got.Body?.transformToByteArray()) ?? []) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    client.destroy();
  }
  return out;
}

/** Every file under `dir` (relative path and bytes), skipping the names in `except`. */
export async function dumpFiles(
  dir: string,
  except: string[] = [],
): Promise<{ path: string; body: Buffer }[]> {
  const out: { path: string; body: Buffer }[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = relative(dir, path);
    if (except.includes(rel)) continue;
    out.push({ path: rel, body: await readFile(path).catch(() => Buffer.alloc(0)) });
  }
  return out;
}
