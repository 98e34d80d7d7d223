// A strict local fake of the Slack Web API and of response_url endpoints, on 127.0.0.1 and a free port.
// Aim a WebClient at it with `slackApiUrl: fake.url` (Bolt: `clientOptions: { slackApiUrl }`) and
// `retryConfig: { retries: 0 }`. It answers like Slack (HTTP 200 `{ ok, … }`, 429 + Retry-After) and refuses
// whatever Slack would refuse, including every Block Kit limit (./block-kit-limits.ts).
//
// @slack/web-api v8 sends every call as `POST <slackApiUrl><method>` with `Authorization: Bearer <token>` and an
// `application/x-www-form-urlencoded` body; non-scalar arguments (blocks, view, metadata) are JSON strings inside the
// form (WebClient#serializeBody) and numbers/booleans become strings. JSON bodies are accepted too.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Args, Failure, Result } from './slack-args.ts';
import { bearer, decodeArgs, jsonReply, type Reply, readBody } from './slack-http.ts';
import { METHODS } from './slack-methods.ts';
import { checkResponseBody, RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS } from './slack-respond.ts';
import { createSocketMode, type FakeSocketMode } from './slack-socket-mode.ts';
import {
  type ChannelOptions,
  channelRecord,
  clearState,
  createState,
  DEFAULT_CHANNEL,
  type FakeEphemeral,
  type FakeMessage,
  type FakeView,
  nextTs,
  type UserOptions,
} from './slack-state.ts';

export type { ChannelOptions, FakeEphemeral, FakeMessage, FakeSocketMode, FakeView, UserOptions };
export { DEFAULT_CHANNEL };

export interface SlackCall {
  method: string;
  /** Decoded arguments (JSON form fields parsed), without `token`. */
  args: Record<string, unknown>;
  token: string;
  at: number;
  /** The `error` Slack answered with, when the call failed. */
  error?: string;
}

export type InjectedFailure = string | { status: 429; retryAfter: number };

export interface FakeSlack {
  /** 'http://127.0.0.1:PORT/api/': pass as `slackApiUrl`. */
  url: string;
  /** Every Web API call, in order, including failed ones. */
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Current state of every message the fake holds (top-level and replies), in posting order. */
  messages: FakeMessage[];
  message(channel: string, ts: string): FakeMessage | undefined;
  replies(channel: string, threadTs: string): FakeMessage[];
  views: FakeView[];
  /** Home tabs published with views.publish, by user id (the latest view each). */
  homes: Map<string, Record<string, unknown>>;
  ephemerals: FakeEphemeral[];
  /** Socket Mode: the app connects with `appToken` through apps.connections.open (./slack-socket-mode.ts). */
  socketMode: FakeSocketMode;
  /** A response_url on this fake, valid 30 minutes for 5 uses; the same id gives the same URL. */
  responseUrl(id?: string): string;
  /** Accepted POSTs to response URLs, in order. */
  responses: { id: string; body: Record<string, unknown> }[];
  /** A fresh trigger_id for `user`, valid 3 s, single use. */
  issueTrigger(user?: string): string;
  setChannel(id: string, opts: ChannelOptions): void;
  setUser(id: string, opts: UserOptions): void;
  /** Defines a user group (S…) and its members, served by usergroups.users.list. */
  setUserGroup(id: string, members: string[]): void;
  /** A message from a human (the bot may not edit it), for thread and `cant_update_message` tests. */
  seedMessage(args: { channel: string; user: string; text: string; thread_ts?: string }): FakeMessage;
  /** Fail the next call of `method` once: `{ ok: false, error }`, or HTTP 429 with Retry-After. Queues. */
  failNext(method: string, failure: InjectedFailure): void;
  /** Injected failures not yet consumed, as 'method: failure' strings; assert it is empty in afterEach. */
  pendingFailures(): string[];
  /** Back to the initial state (only C0TEST); ts and ids keep increasing. */
  reset(): void;
  stop(): Promise<void>;
}

export interface StartFakeSlackOptions {
  botToken: string;
  /** The app-level token (xapp-…) apps.connections.open accepts; without it Socket Mode is refused. */
  appToken?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** Grant chat:write.public, so the bot may post in public channels it has not joined. Default false. */
  chatWritePublic?: boolean;
  /** Clock for trigger expiry, response_url expiry and `at` stamps. Default Date.now. */
  now?: () => number;
}

export async function startFakeSlack(opts: StartFakeSlackOptions): Promise<FakeSlack> {
  const now = opts.now ?? Date.now;
  const state = createState({
    botUserId: opts.botUserId ?? 'U0BOT',
    botId: opts.botId ?? 'B0BOT',
    teamId: opts.teamId ?? 'T0TEST',
    appId: 'A0FAKEAPP',
    chatWritePublic: opts.chatWritePublic ?? false,
    now,
  });
  const calls: SlackCall[] = [];
  const responses: FakeSlack['responses'] = [];
  const responseUrls = new Map<string, { createdAt: number; uses: number }>();
  const failures = new Map<string, InjectedFailure[]>();
  let responseSeq = 0;

  function callApi(method: string, req: IncomingMessage, raw: string): Reply {
    const decoded = decodeArgs(req.headers['content-type'], raw);
    const args: Args = 'ok' in decoded ? {} : decoded.args;
    const bodyToken = typeof args.token === 'string' ? args.token : undefined;
    delete args.token;
    const token = bearer(req) ?? bodyToken ?? '';
    const call: SlackCall = { method, args, token, at: now() };
    calls.push(call);
    const answer = (result: Result | Failure, status = 200, headers: Record<string, string> = {}): Reply => {
      if (!result.ok) call.error = result.error;
      return jsonReply(result, status, headers);
    };
    // An app-level token works for apps.connections.* only, and a bot token never does there.
    const appCall = method === 'apps.connections.open';
    const handler = appCall ? () => socketMode.open() : METHODS.get(method);
    if (handler === undefined) return answer({ ok: false, error: 'unknown_method' });
    if (token === '') return answer({ ok: false, error: 'not_authed' });
    if (token === (appCall ? opts.botToken : opts.appToken)) {
      return answer({ ok: false, error: 'not_allowed_token_type' });
    }
    if (token !== (appCall ? opts.appToken : opts.botToken))
      return answer({ ok: false, error: 'invalid_auth' });
    if ('ok' in decoded) return answer(decoded);
    const failure = failures.get(method)?.shift();
    if (typeof failure === 'string') return answer({ ok: false, error: failure });
    if (failure !== undefined) {
      return answer({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(failure.retryAfter) });
    }
    return answer(handler(state, args));
  }

  function respond(id: string, req: IncomingMessage, raw: string): Reply {
    const text = (status: number, body: string): Reply => ({
      status,
      body,
      headers: { 'content-type': 'text/plain' },
    });
    const record = responseUrls.get(id);
    if (record === undefined) return text(404, 'invalid_url');
    if (now() - record.createdAt > RESPONSE_URL_TTL_MS) return text(404, 'expired_url');
    if (record.uses >= RESPONSE_URL_MAX_USES) return text(404, 'used_url');
    const checked = checkResponseBody(req.headers['content-type'], raw);
    if ('error' in checked) return text(checked.status, checked.error);
    record.uses += 1;
    responses.push({ id, body: checked.body });
    return text(200, 'ok');
  }

  async function route(req: IncomingMessage): Promise<Reply> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const raw = await readBody(req);
    if (raw === undefined) return jsonReply({ ok: false, error: 'request_too_large' }, 413);
    if (req.method !== 'POST') return jsonReply({ ok: false, error: 'method_not_allowed' }, 405);
    const api = /^\/api\/([A-Za-z.]+)$/.exec(path);
    if (api?.[1] !== undefined) return callApi(api[1], req, raw);
    const hook = /^\/respond\/([\w-]+)$/.exec(path);
    if (hook?.[1] !== undefined) return respond(hook[1], req, raw);
    return jsonReply({ ok: false, error: 'not_found' }, 404);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void route(req)
      .catch(
        (err: unknown): Reply => jsonReply({ ok: false, error: 'fatal_error', detail: String(err) }, 500),
      )
      .then((reply) => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const socketMode = createSocketMode(base, state.id.appId);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (!socketMode.upgrade(req, socket)) socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
  });

  return {
    url: `${base}/api/`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    messages: state.messages,
    message: (channel, ts) => state.messages.find((m) => m.channel === channel && m.ts === ts),
    replies: (channel, threadTs) =>
      state.messages.filter((m) => m.channel === channel && m.thread_ts === threadTs && m.ts !== threadTs),
    views: state.views,
    homes: state.homes,
    ephemerals: state.ephemerals,
    socketMode,
    responseUrl(id) {
      const key = id ?? `r${++responseSeq}`;
      if (!/^[\w-]+$/.test(key)) throw new Error(`fake Slack: response_url id must match [\\w-]+: ${key}`);
      if (!responseUrls.has(key)) responseUrls.set(key, { createdAt: now(), uses: 0 });
      return `${base}/respond/${key}`;
    },
    responses,
    issueTrigger(user = 'U0TESTER') {
      state.seq.trigger += 1;
      const id = `${1_000_000_000 + state.seq.trigger}.47445629121.${randomBytes(16).toString('hex')}`;
      state.triggers.set(id, { issuedAt: now(), user, used: false });
      return id;
    },
    setChannel(id, channelOpts) {
      state.channels.set(id, channelRecord(id, channelOpts, state.channels.get(id)));
    },
    setUserGroup(id, members) {
      state.userGroups.set(id, [...members]);
    },
    setUser(id, userOpts) {
      state.users.set(id, { ...state.users.get(id), ...userOpts });
    },
    seedMessage({ channel, user, text, thread_ts }) {
      if (!state.channels.has(channel)) {
        throw new Error(`fake Slack: seedMessage into unknown channel ${channel}`);
      }
      if (
        thread_ts !== undefined &&
        !state.messages.some((m) => m.channel === channel && m.ts === thread_ts)
      ) {
        throw new Error(`fake Slack: seedMessage into unknown thread ${channel}/${thread_ts}`);
      }
      const message: FakeMessage = { channel, ts: nextTs(state), text, user, updates: 0, edits: [] };
      if (thread_ts !== undefined) message.thread_ts = thread_ts;
      state.messages.push(message);
      return message;
    },
    failNext(method, failure) {
      const queue = failures.get(method) ?? [];
      queue.push(failure);
      failures.set(method, queue);
    },
    pendingFailures: () =>
      [...failures].flatMap(([method, queue]) => queue.map((f) => `${method}: ${JSON.stringify(f)}`)),
    reset() {
      calls.length = 0;
      responses.length = 0;
      responseUrls.clear();
      failures.clear();
      socketMode.reset();
      clearState(state);
    },
    async stop() {
      await socketMode.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
