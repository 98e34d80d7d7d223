import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Registry } from 'prom-client';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What /readyz (and a /healthz with details) answers: 200 when ok, 503 otherwise, with the details as JSON. */
export type ProbeCheck = () => Promise<{ ok: boolean; detail: Record<string, string> }>;

/** GET /metrics: the registry in the Prometheus text format. */
export function metricsHandler(registry: Registry): RouteHandler {
  return (_req, res) => {
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
export function createOpsRoutes(opts: { registry: Registry; ready: ProbeCheck }): CustomRoute[] {
  return [
    { path: '/metrics', method: ['GET'], handler: metricsHandler(opts.registry) },
    { path: '/readyz', method: ['GET'], handler: probeHandler(opts.ready) },
  ];
}
