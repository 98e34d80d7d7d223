import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Registry } from 'prom-client';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What /readyz (and a /healthz with details) answers: 200 when ok, 503 otherwise, with the details as JSON. */
export type ProbeCheck = () => Promise<{ ok: boolean; detail: Record<string, string> }>;

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function hasBearer(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return false;
  const given = createHash('sha256').update(match[1]).digest();
  return timingSafeEqual(given, createHash('sha256').update(token).digest());
}

/**
 * GET /metrics: the registry in the Prometheus text format. With a token, only for requests that bear it: metric
 * labels name hosts, queues and image references, which is more than anyone on the network needs to see.
 */
export function metricsHandler(registry: Registry, token?: string): RouteHandler {
  return (req, res) => {
    if (token !== undefined && !hasBearer(req, token)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' });
      res.end('a bearer token is required\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`# metrics collection failed: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  };
}

/** A probe endpoint: 200 `{"ok":true,...}` or 503 `{"ok":false,...}`; a check that throws counts as not ok. */
export function probeHandler(check: ProbeCheck): RouteHandler {
  return (_req, res) => {
    check().then(
      ({ ok, detail }) => sendJson(res, ok ? 200 : 503, { ok, ...detail }),
      () => sendJson(res, 503, { ok: false }),
    );
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** /metrics and /readyz as Bolt custom routes (the bot's /healthz is created with the app). */
export function createOpsRoutes(opts: {
  registry: Registry;
  ready: ProbeCheck;
  token?: string;
}): CustomRoute[] {
  return [
    { path: '/metrics', method: ['GET'], handler: metricsHandler(opts.registry, opts.token) },
    { path: '/readyz', method: ['GET'], handler: probeHandler(opts.ready) },
  ];
}
