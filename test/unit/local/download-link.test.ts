import { describe, expect, it } from 'vitest';
import { createDownloadLink, verifyLink } from '../../../src/storage/download-link.ts';
import { localKeyProblem } from '../../../src/storage/local-key.ts';

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
const BASE = 'http://localhost:3000';
const KEY = 'builds/b7k3m9x2q/install.iso';
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

/** The request the download route would see for `url`: key from the path, the rest from the query. */
function requestOf(url: string) {
  const parsed = new URL(url);
  return {
    key: parsed.pathname
      .replace(/^\/downloads\//, '')
      .split('/')
      .map(decodeURIComponent)
      .join('/'),
    expires: parsed.searchParams.get('expires'),
    sig: parsed.searchParams.get('sig'),
    filename: parsed.searchParams.get('filename'),
  };
}

function link(options: { ttlSeconds?: number; filename?: string } = {}) {
  return createDownloadLink(BASE, SECRET, KEY, {
    ttlSeconds: options.ttlSeconds ?? 3600,
    nowMs: NOW,
    ...(options.filename === undefined ? {} : { filename: options.filename }),
  });
}

describe('signed download links of the local artifact store', () => {
  it('look like <base>/downloads/<key>?expires=<unix>&sig=<hex>&filename=<name> and verify', () => {
    const { url, expiresAt } = link({ filename: 'b7k3m9x2q-install.iso' });
    expect(url).toMatch(
      /^http:\/\/localhost:3000\/downloads\/builds\/b7k3m9x2q\/install\.iso\?expires=\d+&sig=[0-9a-f]{64}&filename=b7k3m9x2q-install\.iso$/,
    );
    expect(expiresAt.getTime()).toBe(NOW + 3600_000);
    expect(verifyLink(SECRET, requestOf(url), NOW + 1000)).toEqual({
      ok: true,
      key: KEY,
      filename: 'b7k3m9x2q-install.iso',
    });
  });

  it('verify without a file name too', () => {
    const { url } = link();
    expect(url).not.toContain('filename');
    expect(verifyLink(SECRET, requestOf(url), NOW)).toEqual({ ok: true, key: KEY });
  });

  it('work until their expiry second and are refused as expired afterwards', () => {
    const { url, expiresAt } = link({ ttlSeconds: 60 });
    expect(verifyLink(SECRET, requestOf(url), expiresAt.getTime()).ok).toBe(true);
    expect(verifyLink(SECRET, requestOf(url), expiresAt.getTime() + 1000)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('never live longer than the S3 presign maximum of 7 days', () => {
    const { expiresAt } = link({ ttlSeconds: 30 * 24 * 3600 });
    expect(expiresAt.getTime()).toBe(NOW + 604_800_000);
  });

  it.each([
    ['the key', (r: ReturnType<typeof requestOf>) => ({ ...r, key: 'builds/b0000000a/install.iso' })],
    ['expires', (r: ReturnType<typeof requestOf>) => ({ ...r, expires: String(Number(r.expires) + 3600) })],
    [
      'the signature',
      (r: ReturnType<typeof requestOf>) => ({
        ...r,
        sig: `${r.sig?.slice(0, -1)}${r.sig?.endsWith('0') ? '1' : '0'}`,
      }),
    ],
    ['the file name', (r: ReturnType<typeof requestOf>) => ({ ...r, filename: 'evil.iso' })],
    ['the file name (dropped)', (r: ReturnType<typeof requestOf>) => ({ ...r, filename: null })],
    [
      'the signature case',
      (r: ReturnType<typeof requestOf>) => ({ ...r, sig: r.sig?.toUpperCase() ?? null }),
    ],
  ])('are refused when %s is changed', (_what, tamper) => {
    const request = requestOf(link({ filename: 'b7k3m9x2q-install.iso' }).url);
    expect(verifyLink(SECRET, tamper(request), NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('are refused under another signing key', () => {
    const request = requestOf(link().url);
    expect(verifyLink(Buffer.from('another-key-another-key-another-key'), request, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('are refused as unsigned without expires or sig', () => {
    const request = requestOf(link().url);
    expect(verifyLink(SECRET, { ...request, sig: null }, NOW)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyLink(SECRET, { ...request, expires: null }, NOW)).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuse an expires far beyond anything signed, even with a valid signature', () => {
    const { url } = createDownloadLink(BASE, SECRET, KEY, { ttlSeconds: 3600, nowMs: NOW + 30 * 86_400_000 });
    expect(verifyLink(SECRET, requestOf(url), NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuse path traversal, absolute paths, NUL bytes and hidden temp files, signed or not', () => {
    for (const key of [
      '../etc/passwd',
      'builds/../../etc/passwd',
      '/etc/passwd',
      'builds/b1/\0install.iso',
      'builds\\..\\x',
      'builds/b1/.install.iso.0a1b2c.part',
      'builds//install.iso',
      'builds/b1/',
    ]) {
      expect(localKeyProblem(key), key).toBeDefined();
      expect(() => createDownloadLink(BASE, SECRET, key, { ttlSeconds: 60, nowMs: NOW }), key).toThrow();
      const forged = { ...requestOf(link().url), key };
      expect(verifyLink(SECRET, forged, NOW), key).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(localKeyProblem('../x')).toContain('..');
    expect(localKeyProblem('/x')).toContain('absolute');
    expect(localKeyProblem('a\0b')).toContain('NUL');
  });

  it('refuse file names that could break the Content-Disposition header', () => {
    expect(() =>
      createDownloadLink(BASE, SECRET, KEY, { ttlSeconds: 60, nowMs: NOW, filename: 'a"; x=y.iso' }),
    ).toThrow();
    const request = { ...requestOf(link().url), filename: 'a"\r\nSet-Cookie: x' };
    expect(verifyLink(SECRET, request, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('percent-encode nothing for plain keys and keep PUBLIC_URL path prefixes', () => {
    const { url } = createDownloadLink('https://ci.example.com/bootc-iso', SECRET, KEY, {
      ttlSeconds: 60,
      nowMs: NOW,
    });
    expect(url.startsWith('https://ci.example.com/bootc-iso/downloads/builds/b7k3m9x2q/install.iso?')).toBe(
      true,
    );
  });
});
