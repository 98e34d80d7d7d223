import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { MetricsListen } from '../src/config/ops-env.ts';
import { metricsHandler, type ProbeCheck, probeHandler, type RouteHandler } from '../src/http/ops-routes.ts';

export interface OpsServer {
  /** The port in use (differs from the configured one when that was 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * A build host's own small HTTP server: GET /metrics (Prometheus), /healthz (liveness: the process answers) and
 * /readyz (the worker takes jobs). Build hosts have no other listener, and the Slack bot's port may be on
 * another machine, so the worker cannot use Bolt's routes. Bound to 127.0.0.1 unless METRICS_HOST widens it.
 */
export async function startOpsServer(opts: {
  listen: MetricsListen;
  registry: Registry;
  ready: ProbeCheck;
}): Promise<OpsServer> {
  const routes: Record<string, RouteHandler> = {
    '/metrics': metricsHandler(opts.registry, opts.listen.token),
    '/healthz': probeHandler(async () => ({ ok: true, detail: {} })),
    '/readyz': probeHandler(opts.ready),
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes[path];
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(route ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(route ? 'method not allowed\n' : 'not found: try /metrics, /healthz or /readyz\n');
      return;
    }
    route(req, res);
  });
  // Scrapers keep connections open; they must not hold up a worker's shutdown.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listen.port, opts.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
