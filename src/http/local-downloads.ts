import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../logger.ts';
import type { ExtraRoute } from '../slack/create-app.ts';
import type { LocalStore } from '../storage/local-store.ts';

/**
 * Bolt matches custom routes with path-to-regexp 8 (HTTPReceiver and SocketModeReceiver alike): `*key` is a
 * wildcard over one or more segments. The handler reads the key from the raw path itself, so it does not depend
 * on how Bolt exposes wildcard params.
 */
export const DOWNLOADS_ROUTE = '/downloads/*key';
const PREFIX = '/downloads/';

const CONTENT_TYPES: Record<string, string> = {
  iso: 'application/x-iso9660-image',
  log: 'text/plain; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
};

/** GET and HEAD of `/downloads/<key>?expires=..&sig=..[&filename=..]`: the local store's signed download links. */
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
  res.writeHead(200, {
    'content-length': String(object.size),
    'content-type': CONTENT_TYPES[name.split('.').at(-1) ?? ''] ?? 'application/octet-stream',
    'content-disposition': check.filename ? `attachment; filename="${check.filename}"` : 'inline',
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    await object.handle.close();
    res.end();
    return;
  }
  try {
    await pipeline(object.handle.createReadStream(), res);
    logger.info({ key: check.key, bytes: object.size }, 'download served');
  } catch (error) {
    // Mostly a client that went away mid-download.
    logger.info({ key: check.key, error: String(error) }, 'download interrupted');
  }
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
