import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';

/**
 * s3rver 3.7.1 checks only that a SigV4 request's access key exists (and a presigned link's expiry): an altered
 * signature, key or expiry still downloads, and anonymous requests are served. Real S3 and MinIO refuse all of that,
 * so the testbed puts this guard in front of s3rver: it refuses anonymous requests and verifies every signature
 * (Authorization header and presigned query) itself, with node:crypto, independently of the AWS SDK's signer.
 * Streaming chunk signatures are not checked (the project never sends them).
 */

interface GuardContext {
  req: IncomingMessage;
  get(header: string): string;
}
type Next = () => Promise<unknown>;
export type KoaMiddleware = (ctx: GuardContext, next: Next) => Promise<unknown>;

interface S3rverAccount {
  accessKeys: Map<string, string>;
}
type S3ErrorClass = new (code: string, message: string) => Error;

const require = createRequire(import.meta.url);
const accounts = () =>
  (require('s3rver/lib/models/account.js') as { registry: Map<string, S3rverAccount> }).registry;
const S3Error = () => require('s3rver/lib/models/error.js') as S3ErrorClass;

/** Longest life AWS allows a presigned link, and the clock skew it tolerates. */
const MAX_EXPIRES_S = 604_800;
const MAX_SKEW_MS = 15 * 60_000;

const refuse = (code: string, message: string): Error => new (S3Error())(code, message);
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw refuse('InvalidURI', 'Could not parse the specified URI.');
  }
}

function amzTime(s: string | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? '');
  return m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : Number.NaN;
}

interface Claimed {
  accessKeyId: string;
  scope: string[];
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
}

function fromQuery(q: Map<string, string>, now: number): Claimed {
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    throw refuse('AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const [credential, date, expiresText, signed, signature] = [
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
  ].map((name) => q.get(name));
  if (!credential || !date || !expiresText || !signed || !signature)
    throw refuse('AuthorizationQueryParametersError', 'a presigned link parameter is missing');
  const expires = Number(expiresText);
  const at = amzTime(date);
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_S || Number.isNaN(at))
    throw refuse('AuthorizationQueryParametersError', 'X-Amz-Date or X-Amz-Expires is invalid');
  if (now > at + expires * 1000) throw refuse('AccessDenied', 'Request has expired');
  if (at - now > MAX_SKEW_MS) throw refuse('AccessDenied', 'Request is not yet valid');
  const [accessKeyId = '', ...scope] = credential.split('/');
  return {
    accessKeyId,
    scope,
    signedHeaders: signed.split(';'),
    signature,
    amzDate: date,
    payloadHash: 'UNSIGNED-PAYLOAD',
  };
}

function fromHeader(ctx: GuardContext, authorization: string, now: number): Claimed {
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
    authorization,
  );
  if (!m?.[1] || !m[2] || !m[3])
    throw refuse('AuthorizationHeaderMalformed', 'The authorization header is malformed');
  const amzDate = ctx.get('x-amz-date');
  const payloadHash = ctx.get('x-amz-content-sha256');
  if (!payloadHash) throw refuse('InvalidRequest', 'Missing required header x-amz-content-sha256');
  const at = amzTime(amzDate);
  if (Number.isNaN(at) || Math.abs(now - at) > MAX_SKEW_MS)
    throw refuse('RequestTimeTooSkewed', 'The difference between the request time and now is too large.');
  const [accessKeyId = '', ...scope] = m[1].split('/');
  return { accessKeyId, scope, signedHeaders: m[2].split(';'), signature: m[3], amzDate, payloadHash };
}

/** The guard, to put first in s3rver's Koa middleware (before `run()`). */
export function s3SignatureGuard(): KoaMiddleware {
  return async (ctx, next) => {
    const now = Date.now();
    const url = ctx.req.url ?? '/';
    const cut = url.indexOf('?');
    const rawPath = cut < 0 ? url : url.slice(0, cut);
    const pairs = (cut < 0 ? '' : url.slice(cut + 1))
      .split('&')
      .filter(Boolean)
      .map((p): [string, string] => {
        const eq = p.indexOf('=');
        return eq < 0 ? [decode(p), ''] : [decode(p.slice(0, eq)), decode(p.slice(eq + 1))];
      });
    const query = new Map(pairs);
    const authorization = ctx.get('authorization');
    const presigned = query.has('X-Amz-Algorithm');
    if (!authorization && !presigned) throw refuse('AccessDenied', 'Access Denied');
    if (authorization && presigned) throw refuse('InvalidArgument', 'Only one auth mechanism allowed');
    const c = presigned ? fromQuery(query, now) : fromHeader(ctx, authorization, now);

    const secret = accounts().get(c.accessKeyId)?.accessKeys.get(c.accessKeyId);
    if (!secret) throw refuse('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist.');
    const [day, region, service, terminator] = c.scope;
    if (c.scope.length !== 4 || !day || !region || day !== c.amzDate.slice(0, 8) || service !== 's3')
      throw refuse('AuthorizationHeaderMalformed', 'bad credential scope');
    if (terminator !== 'aws4_request' || !c.signedHeaders.includes('host'))
      throw refuse('AuthorizationHeaderMalformed', 'bad credential scope or signed headers');

    const canonicalUri = rawPath
      .split('/')
      .map((segment) => rfc3986(decode(segment)))
      .join('/');
    const canonicalQuery = pairs
      .filter(([k]) => !(presigned && k === 'X-Amz-Signature'))
      .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
      // By name, then value (not by the joined "name=value" text, which orders "x-y" before "x").
      .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonicalHeaders = c.signedHeaders
      .map(
        (h) =>
          `${h}:${String(ctx.req.headers[h] ?? '')
            .trim()
            .replace(/\s+/g, ' ')}\n`,
      )
      .join('');
    const canonicalRequest = [
      ctx.req.method,
      canonicalUri,
      canonicalQuery,
      canonicalHeaders,
      c.signedHeaders.join(';'),
      c.payloadHash,
    ].join('\n');
    const stringToSign = ['AWS4-HMAC-SHA256', c.amzDate, c.scope.join('/'), sha256Hex(canonicalRequest)].join(
      '\n',
    );
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), 's3'), 'aws4_request');
    const expected = Buffer.from(hmac(signingKey, stringToSign).toString('hex'));
    const given = Buffer.from(c.signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw refuse('SignatureDoesNotMatch', 'The request signature we calculated does not match.');
    return next();
  };
}
