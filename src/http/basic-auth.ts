import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { AdminCredentials } from '../config/ops-env.ts';

/**
 * Checks an `Authorization: Basic ...` header in constant time: both sides are hashed first, so neither the
 * length nor the first differing byte of the user name or password shows in the timing.
 */
export function isAuthorized(header: string | undefined, expected: AdminCredentials): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? '' : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  // Both comparisons always run: `&&` would skip the second and tell a right user name from a wrong one.
  const userOk = sameSecret(user, expected.user);
  const passwordOk = sameSecret(password, expected.password);
  return colon >= 0 && userOk && passwordOk;
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The 401 that makes a browser ask for the user name and password. */
export function askForCredentials(res: ServerResponse, realm: string): void {
  res.writeHead(401, {
    'www-authenticate': `Basic realm="${realm}", charset="UTF-8"`,
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end('authentication required\n');
}
