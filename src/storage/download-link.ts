import { createHmac, timingSafeEqual } from 'node:crypto';
import { LINK_TTL_MAX_SECONDS as MAX_LINK_TTL_SECONDS } from '../config/env-schema.ts';
import { isSafeFilename, localKeyProblem } from './local-key.ts';

/**
 * Download links of the local artifact store: `<base>/downloads/<key>?expires=<unix s>&sig=<hex>[&filename=<name>]`
 * with sig = HMAC-SHA256(signing key, "bootc-iso-download-v1\n<key>\n<expires>\n<filename>"). Keys and file names
 * cannot contain newlines (local-key.ts), so the signed text is unambiguous. Expiry works like an S3 presigned
 * URL: at most 7 days, and the link stops working once the clock passes `expires`.
 */
const VERSION = 'bootc-iso-download-v1';
/** Clock skew tolerated on `expires` lying further ahead than any link we sign. */
const FUTURE_SLACK_SECONDS = 300;

export interface LinkParams {
  key: string;
  /** Unix seconds. */
  expires: number;
  filename?: string;
}

export function signLink(secret: Buffer, link: LinkParams): string {
  return createHmac('sha256', secret)
    .update(`${VERSION}\n${link.key}\n${link.expires}\n${link.filename ?? ''}`)
    .digest('hex');
}

/** The link for `key`, valid `ttlSeconds` (capped at 7 days) from `nowMs`. Throws on a bad key or file name. */
export function createDownloadLink(
  baseUrl: string,
  secret: Buffer,
  key: string,
  options: { ttlSeconds: number; filename?: string; nowMs: number },
): { url: string; expiresAt: Date } {
  const keyProblem = localKeyProblem(key);
  if (keyProblem) throw new Error(`artifact key ${JSON.stringify(key.slice(0, 80))} ${keyProblem}`);
  if (options.filename !== undefined && !isSafeFilename(options.filename)) {
    throw new Error(
      `download file name ${JSON.stringify(options.filename.slice(0, 80))} is not a plain name`,
    );
  }
  const ttl = Math.max(1, Math.floor(Math.min(options.ttlSeconds, MAX_LINK_TTL_SECONDS)));
  const expires = Math.floor(options.nowMs / 1000) + ttl;
  const link: LinkParams = {
    key,
    expires,
    ...(options.filename === undefined ? {} : { filename: options.filename }),
  };
  const query = new URLSearchParams({ expires: String(expires), sig: signLink(secret, link) });
  if (options.filename !== undefined) query.set('filename', options.filename);
  const path = key.split('/').map(encodeURIComponent).join('/');
  return { url: `${baseUrl}/downloads/${path}?${query.toString()}`, expiresAt: new Date(expires * 1000) };
}

export type LinkCheck =
  | { ok: true; key: string; filename?: string }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

/**
 * Checks a request for `key` with the query parameters of a link. The signature is compared in constant time and
 * before the expiry, so "expired" is only ever said about a link we really issued.
 */
export function verifyLink(
  secret: Buffer,
  request: { key: string; expires: string | null; sig: string | null; filename: string | null },
  nowMs: number,
): LinkCheck {
  const { key, expires, sig, filename } = request;
  if (expires === null || sig === null) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return { ok: false, reason: 'invalid' };
  if (localKeyProblem(key) !== undefined) return { ok: false, reason: 'invalid' };
  if (filename !== null && !isSafeFilename(filename)) return { ok: false, reason: 'invalid' };
  const link: LinkParams = { key, expires: Number(expires), ...(filename === null ? {} : { filename }) };
  const expected = Buffer.from(signLink(secret, link), 'hex');
  if (!timingSafeEqual(Buffer.from(sig, 'hex'), expected)) return { ok: false, reason: 'invalid' };
  const now = Math.floor(nowMs / 1000);
  if (link.expires - now > MAX_LINK_TTL_SECONDS + FUTURE_SLACK_SECONDS)
    return { ok: false, reason: 'invalid' };
  if (now > link.expires) return { ok: false, reason: 'expired' };
  return { ok: true, key, ...(filename === null ? {} : { filename }) };
}
