import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { CustomRoute } from '@slack/bolt';
import type { Queue } from 'bullmq';
import type { AdminCredentials } from '../config/ops-env.ts';
import { askForCredentials, isAuthorized } from './basic-auth.ts';

export const ADMIN_BASE_PATH = '/admin/queues';

type ConnectHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * The bull-board queue dashboard as Bolt custom routes, read-only and behind HTTP basic auth.
 *
 * Bolt matches custom routes with path-to-regexp and hands over the raw node request, in HTTP and Socket Mode
 * alike, so the dashboard needs no server or port of its own: two routes (the base path and everything below
 * it) pass the request to bull-board's Express app with the base path cut off, as `app.use(base, router)`
 * would. Only GET and HEAD are routed, so nothing can change a queue even if read-only mode had a gap.
 */
export function createAdminDashboardRoutes(
  queues: Queue[],
  credentials: AdminCredentials,
  basePath: string = ADMIN_BASE_PATH,
): CustomRoute[] {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'bootc-iso queues' } },
  });
  const app = adapter.getRouter() as ConnectHandler & { disable(setting: string): void };
  app.disable('x-powered-by');

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!isAuthorized(req.headers.authorization, credentials)) {
      askForCredentials(res, 'bootc-iso admin');
      return;
    }
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('cache-control', 'no-store');
    req.url = stripBase(req.url ?? '/', basePath);
    app(req, res, (error?: unknown) => {
      if (res.headersSent) return;
      res.writeHead(error ? 500 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(error ? 'dashboard error\n' : 'not found\n');
    });
  };
  const methods = ['GET', 'HEAD'];
  return [
    { path: basePath, method: methods, handler },
    { path: `${basePath}/*rest`, method: methods, handler },
  ];
}

/** `/admin/queues/api/queues?x=1` → `/api/queues?x=1`; the base path itself → `/`. */
export function stripBase(url: string, basePath: string): string {
  const rest = url.startsWith(basePath) ? url.slice(basePath.length) : url;
  if (rest === '' || rest.startsWith('?')) return `/${rest}`;
  return rest;
}
