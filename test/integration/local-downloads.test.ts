import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { execa } from 'execa';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOWNLOADS_ROUTE, localDownloadsRoute } from '../../src/http/local-downloads.ts';
import { createSlackApp } from '../../src/slack/create-app.ts';
import { createLocalStore, type LocalStore } from '../../src/storage/local-store.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { freePort } from '../testbed/free-port.ts';

const KEY = 'builds/bdl000001/install.iso';
const SIGNING_KEY = randomBytes(32);

let dir: string;
let iso: Buffer;
let app: App;
let fake: FakeSlack;
let socketServer: Server;
/** Base URLs of the same route behind Bolt's HTTP receiver and behind its Socket Mode receiver. */
const bases: Record<'http' | 'socket', string> = { http: '', socket: '' };

function storeFor(base: string, now?: () => number): LocalStore {
  return createLocalStore({
    root: join(dir, 'artifacts'),
    publicUrl: base,
    signingKey: SIGNING_KEY,
    ...(now ? { now } : {}),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-downloads-'));
  const logger = pino({ level: 'silent' });
  const store = storeFor('http://unused');
  iso = randomBytes(3 * 1024 * 1024 + 17);
  await store.putObject(KEY, iso, 'application/x-iso9660-image');
  await store.putObject('builds/bdl000001/build.log', 'line 1\nline 2\n', 'text/plain');
  await writeFile(join(dir, 'secret.txt'), 'outside the store');
  await symlink(join(dir, 'secret.txt'), join(dir, 'artifacts', 'builds', 'bdl000001', 'link.txt'));
  const route = localDownloadsRoute(store, logger);

  fake = await startFakeSlack({ botToken: 'xoxb-test' });
  const httpPort = await freePort();
  app = createSlackApp(
    {
      botToken: 'xoxb-test',
      signingSecret: 'test-secret',
      port: httpPort,
      apiUrl: fake.url,
    },
    async () => ({ ok: true, detail: {} }),
    [route],
  );
  await app.start({ port: httpPort, host: '127.0.0.1' });
  bases.http = `http://127.0.0.1:${httpPort}`;

  // Socket Mode serves custom routes from a server of its own; start that server without connecting to Slack.
  const socketPort = await freePort();
  const receiver = new SocketModeReceiver({
    appToken: 'xapp-test',
    customRoutes: [route],
    installerOptions: { port: socketPort },
    logLevel: LogLevel.ERROR,
  });
  const server: unknown = Reflect.get(receiver, 'httpServer');
  if (!(server instanceof Server)) throw new Error('SocketModeReceiver has no HTTP server for custom routes');
  socketServer = server;
  await new Promise<void>((resolve) => socketServer.listen(socketPort, '127.0.0.1', resolve));
  bases.socket = `http://127.0.0.1:${socketPort}`;
});

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => socketServer?.close(resolve));
  await fake?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function signed(base: string, key: string, options: { ttlSeconds?: number; filename?: string } = {}) {
  const { url } = await storeFor(base).presignGet(key, { ttlSeconds: options.ttlSeconds ?? 600, ...options });
  return url;
}

describe.each(['http', 'socket'] as const)('downloads on the bot port (%s mode)', (mode) => {
  it(`matches ${DOWNLOADS_ROUTE} and streams the file with length, type and the signed file name`, async () => {
    const url = await signed(bases[mode], KEY, { filename: 'bdl000001-install.iso' });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(iso.length));
    expect(response.headers.get('content-type')).toBe('application/x-iso9660-image');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="bdl000001-install.iso"');
    const body = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(
      createHash('sha256').update(iso).digest('hex'),
    );
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(await signed(bases[mode], KEY), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(iso.length));
    expect(await response.text()).toBe('');
  });

  it('shows a log inline as plain text', async () => {
    const response = await fetch(await signed(bases[mode], 'builds/bdl000001/build.log'));
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('inline');
    expect(await response.text()).toBe('line 1\nline 2\n');
  });

  it('refuses expired, tampered and unsigned links with 403 and a short message', async () => {
    const past = storeFor(bases[mode], () => Date.now() - 3_600_000);
    const expired = (await past.presignGet(KEY, { ttlSeconds: 60 })).url;
    const good = new URL(await signed(bases[mode], KEY, { filename: 'bdl000001-install.iso' }));
    const variants: Record<string, string> = { expired };
    const sig = good.searchParams.get('sig') ?? '';
    const tamper = (name: string, value: string | null) => {
      const copy = new URL(good);
      if (value === null) copy.searchParams.delete(name);
      else copy.searchParams.set(name, value);
      return copy.toString();
    };
    variants.sig = tamper('sig', `${sig.slice(0, -1)}${sig.endsWith('a') ? 'b' : 'a'}`);
    variants.expires = tamper('expires', String(Number(good.searchParams.get('expires')) + 60));
    variants.filename = tamper('filename', 'other.iso');
    variants.unsigned = tamper('sig', null);
    variants.key = good.toString().replace('bdl000001/install.iso', 'bdl000002/install.iso');
    for (const [what, url] of Object.entries(variants)) {
      const response = await fetch(url);
      expect(response.status, what).toBe(403);
      const text = await response.text();
      expect(text.length, what).toBeLessThan(120);
      expect(text, what).toMatch(what === 'expired' ? /expired/ : /not (valid|signed)/);
    }
  });

  it('answers 404 for a signed key with no file, and never lists a directory', async () => {
    expect((await fetch(await signed(bases[mode], 'builds/bdl000009/install.iso'))).status).toBe(404);
    const directory = await fetch(await signed(bases[mode], 'builds/bdl000001'));
    expect(directory.status).toBe(404);
    expect(await directory.text()).not.toContain('install.iso');
    expect((await fetch(`${bases[mode]}/downloads/builds/bdl000001/`)).status).toBe(403);
  });

  it('refuses path traversal and does not follow symlinks out of the store', async () => {
    const good = new URL(await signed(bases[mode], KEY));
    for (const path of [
      '/downloads/..%2F..%2Fsecret.txt',
      '/downloads/builds/%2e%2e/%2e%2e/%2e%2e/secret.txt',
    ]) {
      const response = await fetch(`${bases[mode]}${path}${good.search}`);
      expect([403, 404], path).toContain(response.status);
      expect(await response.text(), path).not.toContain('outside the store');
    }
    const viaLink = await fetch(await signed(bases[mode], 'builds/bdl000001/link.txt'));
    expect(viaLink.status).toBe(404);
    expect(await viaLink.text()).not.toContain('outside the store');
  });
});

describe('range requests, validators and resume (curl -C -)', () => {
  const get = async (headers: Record<string, string>, method = 'GET') =>
    fetch(await signed(bases.http, KEY), { method, headers });

  it('answers one byte range with 206, Content-Range and exactly those bytes', async () => {
    const response = await get({ range: 'bytes=1000-1999' });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 1000-1999/${iso.length}`);
    expect(response.headers.get('content-length')).toBe('1000');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await response.arrayBuffer()).equals(iso.subarray(1000, 2000))).toBe(true);
    const tail = await get({ range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(iso.subarray(iso.length - 10))).toBe(true);
  });

  it('answers an unsatisfiable range with 416 and bytes */size, and a multi-range request with the whole file', async () => {
    const past = await get({ range: `bytes=${iso.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${iso.length}`);
    expect(await past.text()).toBe('');
    const multi = await get({ range: 'bytes=0-9,20-29' });
    expect(multi.status).toBe(200);
    expect(multi.headers.get('content-length')).toBe(String(iso.length));
    await multi.body?.cancel();
  });

  it('sends an ETag; If-None-Match gives 304, a stale If-Range gives the whole file', async () => {
    const head = await get({}, 'HEAD');
    const etag = head.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f-]+"$/);
    expect(head.headers.get('last-modified')).toBeTruthy();
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect((await get({ 'if-none-match': etag })).status).toBe(304);
    const current = await get({ range: 'bytes=0-9', 'if-range': etag });
    expect(current.status).toBe(206);
    await current.body?.cancel();
    const stale = await get({ range: 'bytes=0-9', 'if-range': '"an-older-file"' });
    expect(stale.status).toBe(200);
    await stale.body?.cancel();
    const headRange = await get({ range: 'bytes=0-9' }, 'HEAD');
    expect(headRange.status).toBe(206);
    expect(headRange.headers.get('content-length')).toBe('10');
    expect(await headRange.text()).toBe('');
  });

  it('resumes an interrupted download with curl -C - and ends with the same bytes', async () => {
    const url = await signed(bases.http, KEY, { filename: 'bdl000001-install.iso' });
    const out = join(dir, 'resumed.iso');
    await writeFile(out, iso.subarray(0, 1_234_567));
    const curl = await execa('curl', ['--silent', '--show-error', '--fail', '-C', '-', '-o', out, url], {
      reject: false,
      timeout: 30_000,
    });
    expect(curl.exitCode, curl.stderr).toBe(0);
    const resumed = await readFile(out);
    expect(resumed.length).toBe(iso.length);
    expect(resumed.equals(iso)).toBe(true);
    // Resuming a complete file: the server answers 416 with the full size and curl knows it is done.
    const again = await execa('curl', ['--silent', '--show-error', '-C', '-', '-o', out, url], {
      reject: false,
      timeout: 30_000,
    });
    expect(again.exitCode, again.stderr).toBe(0);
    expect((await readFile(out)).equals(iso)).toBe(true);
  });

  it('never serves an unfinished upload: its temp file has no key, and the final key is 404 until the rename', async () => {
    const pending = 'builds/bdl000002/install.iso';
    const partDir = join(dir, 'artifacts', 'builds', 'bdl000002');
    await mkdir(partDir, { recursive: true });
    await writeFile(join(partDir, '.install.iso.0a1b2c.part'), iso.subarray(0, 1000));
    expect((await fetch(await signed(bases.http, pending))).status).toBe(404);
    const good = new URL(await signed(bases.http, pending));
    const part = await fetch(
      `${bases.http}/downloads/builds/bdl000002/.install.iso.0a1b2c.part${good.search}`,
    );
    expect([403, 404]).toContain(part.status);
    expect((await part.arrayBuffer()).byteLength).toBeLessThan(200);
  });
});
