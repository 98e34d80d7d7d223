import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../logger.ts';
import type { ExtraRoute } from '../slack/create-app.ts';
import type { LocalStore } from '../storage/local-store.ts';
import { decideRange, etagOf, lastModifiedOf } from './byte-range.ts';

/**
 * Bolt matches custom routes with path-to-regexp 8 (HTTPReceiver and SocketModeReceiver alike): `*key` is a
 * wildcard over one or more segments. The handler reads the key from the raw path itself, so it does not depend
 * on how Bolt exposes wildcard params.
 */
export const DOWNLOADS_ROUTE = '/downloads/*key';
const PREFIX = '/downloads/';
const READ_CHUNK = 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  iso: 'application/x-iso9660-image',
  log: 'text/plain; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
};

/**
 * GET and HEAD of `/downloads/<key>?expires=..&sig=..[&filename=..]`: the local store's signed download links, with
 * single byte ranges (206), ETag / If-None-Match / If-Range, so an interrupted ISO download resumes (`curl -C -`,
 * browsers). Only finished files have a key (uploads are renamed into place), so no partial file is ever served.
 */
export function localDownloadsRoute(store: LocalStore, logger: Logger): ExtraRoute {
  return {
    path: DOWNLOADS_ROUTE,
    method: ['GET', 'HEAD'],
    handler: (req, res) => {
      serveDownload(store, logger, req, res).catch((error: unknown) => {
        logger.error({ error: String(error) }, 'download failed');
        if (!res.headersSent) sendText(res, 500, 'the download failed; try again later');
        else res.destroy();
      });
    },
  };
}

async function serveDownload(store: LocalStore, logger: Logger, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const key = keyOf(url.pathname);
  const check =
    key === undefined
      ? ({ ok: false, reason: 'invalid' } as const)
      : store.checkLink({
          key,
          expires: url.searchParams.get('expires'),
          sig: url.searchParams.get('sig'),
          filename: url.searchParams.get('filename'),
        });
  if (!check.ok) {
    logger.info({ path: url.pathname.slice(0, 200), reason: check.reason }, 'download refused');
    const message =
      check.reason === 'expired'
        ? 'this download link has expired; ask for a fresh one (the Fresh link button in Slack)'
        : check.reason === 'missing'
          ? 'this download link is not signed'
          : 'this download link is not valid';
    sendText(res, 403, message);
    return;
  }
  const object = await store.openObject(check.key);
  if (!object) {
    sendText(res, 404, 'no such file: the build or its artifacts are gone');
    return;
  }
  const name = check.key.split('/').at(-1) ?? '';
  const info = await object.handle.stat();
  const file = { size: object.size, mtimeMs: info.mtimeMs, ino: info.ino };
  const validators = { etag: etagOf(file), 'last-modified': lastModifiedOf(file) };
  const decision = decideRange(
    {
      range: req.headers.range,
      ifRange: header(req, 'if-range'),
      ifNoneMatch: header(req, 'if-none-match'),
    },
    file,
  );
  if (decision.status === 304 || decision.status === 416) {
    await object.handle.close();
    res.writeHead(decision.status, {
      ...validators,
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
      ...(decision.status === 416 ? { 'content-range': `bytes */${object.size}` } : {}),
    });
    res.end();
    return;
  }
  const [start, end] = decision.status === 206 ? [decision.start, decision.end] : [0, object.size - 1];
  res.writeHead(decision.status, {
    ...validators,
    'accept-ranges': 'bytes',
    'content-length': String(end - start + 1),
    ...(decision.status === 206 ? { 'content-range': `bytes ${start}-${end}/${object.size}` } : {}),
    'content-type': CONTENT_TYPES[name.split('.').at(-1) ?? ''] ?? 'application/octet-stream',
    'content-disposition': check.filename ? `attachment; filename="${check.filename}"` : 'inline',
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD' || object.size === 0) {
    await object.handle.close();
    res.end();
    return;
  }
  try {
    // 1 MiB reads instead of the default 64 KiB: an ISO is gigabytes, and fewer, larger reads cost less CPU per byte.
    await pipeline(object.handle.createReadStream({ start, end, highWaterMark: READ_CHUNK }), res);
    logger.info({ key: check.key, bytes: end - start + 1, status: decision.status }, 'download served');
  } catch (error) {
    // Mostly a client that went away mid-download; it can resume with a Range request.
    logger.info({ key: check.key, error: String(error) }, 'download interrupted');
  }
}

/** A request header that must appear once; a repeated one (an array) is treated as absent. */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The key in `/downloads/<segments>`, each segment percent-decoded; undefined when it cannot be decoded. */
function keyOf(pathname: string): string | undefined {
  if (!pathname.startsWith(PREFIX)) return undefined;
  try {
    return pathname.slice(PREFIX.length).split('/').map(decodeURIComponent).join('/');
  } catch {
    return undefined;
  }
}

function sendText(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(`${message}\n`);
}
