import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, type CustomRoute, LogLevel } from '@slack/bolt';
import type { SlackSettings } from '../config/slack-env.ts';

export type HealthCheck = () => Promise<{ ok: boolean; detail: Record<string, string> }>;

/**
 * The Bolt app: Socket Mode when an app token is set (no public URL needed, the usual case for on-prem build farms),
 * otherwise the signature-checked HTTP receiver on /slack/events. /healthz is served in both modes.
 */
/** A route served on the bot's HTTP port next to /slack/events (in Socket Mode too). */
export type ExtraRoute = CustomRoute;

export function createSlackApp(slack: SlackSettings, health: HealthCheck, routes: ExtraRoute[] = []): App {
  const healthz = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      health().then(
        ({ ok, detail }) => {
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok, ...detail }));
        },
        () => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end('{"ok":false}');
        },
      );
    },
  };
  const common = {
    token: slack.botToken,
    logLevel: LogLevel.WARN,
    customRoutes: [healthz, ...routes],
    clientOptions: {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      // An interactive path must not hang for half an hour on a Slack outage (the Web API client retries for up to 30 minutes by default).
      timeout: 10_000,
      retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
    },
  };
  if (slack.appToken) {
    return new App({
      ...common,
      appToken: slack.appToken,
      socketMode: true,
      installerOptions: { port: slack.port },
    });
  }
  return new App({
    ...common,
    signingSecret: slack.signingSecret ?? '',
    port: slack.port,
    processBeforeResponse: false,
  });
}
