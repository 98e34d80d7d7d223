// Socket Mode side of the fake Slack. `apps.connections.open` (app-level token only) hands out a single-use
// ws://127.0.0.1 URL on the fake's own port; a client that connects gets `{ type: 'hello' }`, then envelopes
// `{ envelope_id, type, payload, accepts_response_payload }` and must answer each with `{ envelope_id, payload? }`
// within 3 seconds, as Slack requires. `requestRefresh()` sends `{ type: 'disconnect', reason: 'refresh_requested' }`
// and, like Slack, closes the connection itself 10 seconds later if the client has not.
//
// Strict: an ack for an unknown or already acked envelope, an ack later than 3 s, a response payload on an envelope
// that does not accept one, or anything else the client sends is recorded in `problems` (assert it stays empty).
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isRecord } from './block-kit-checks.ts';
import type { Failure, Result } from './slack-args.ts';
import { acceptWebSocket, type WebSocketPeer } from './websocket-server.ts';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

const ACK_DEADLINE_MS = 3000;
const TICKET_TTL_MS = 30_000;
const SERVER_PING_MS = 5000;
const CLOSE_AFTER_DISCONNECT_MS = 10_000;

export interface SocketEnvelopeOptions {
  /** Default: true for slash commands and view submissions, false otherwise (Slack's own choice). */
  acceptsResponsePayload?: boolean;
}

export interface FakeSocketMode {
  /** Successful apps.connections.open calls so far. */
  readonly opened: number;
  /** Connections that received their hello so far (reconnections included). */
  readonly connected: number;
  /** Connections open right now. */
  live(): number;
  /** Resolves once `count` connections in total have received their hello. */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  /**
   * Sends an envelope on the newest open connection; resolves with the ack's payload (`{}` when the ack had none),
   * rejects when no connection is open or no ack came within 3 seconds.
   */
  send(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    opts?: SocketEnvelopeOptions,
  ): Promise<Record<string, unknown>>;
  /** `disconnect` with reason refresh_requested on every open connection. */
  requestRefresh(): void;
  /** Protocol violations by the app, in order. */
  problems: string[];
}

export interface SocketModeServer extends FakeSocketMode {
  /** The apps.connections.open answer for a request carrying the app-level token. */
  open(): Result | Failure;
  /** Handles an HTTP upgrade on the fake's server; false when the path is not a Socket Mode URL. */
  upgrade(req: IncomingMessage, socket: Duplex): boolean;
  reset(): void;
  /** Gives clients that are closing a moment to finish the close handshake, then drops every connection. */
  stop(): Promise<void>;
}

interface Pending {
  type: EnvelopeType;
  sentAt: number;
  acceptsResponsePayload: boolean;
  settle?: (ack: Record<string, unknown> | Error) => void;
}

export function createSocketMode(base: string, appId: string): SocketModeServer {
  const wsBase = base.replace(/^http:/, 'ws:');
  const tickets = new Map<string, number>();
  const peers: WebSocketPeer[] = [];
  const pending = new Map<string, Pending>();
  const problems: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let opened = 0;
  let connected = 0;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  const livePeers = () => peers.filter((p) => !p.closed);

  function onAck(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      problems.push(`not JSON: ${text.slice(0, 200)}`);
      return;
    }
    if (!isRecord(message) || typeof message.envelope_id !== 'string') {
      problems.push(`not an ack: ${text.slice(0, 200)}`);
      return;
    }
    const extra = Object.keys(message).filter((k) => k !== 'envelope_id' && k !== 'payload');
    if (extra.length > 0) problems.push(`ack with unknown fields ${extra.join(', ')}`);
    const envelope = pending.get(message.envelope_id);
    if (envelope === undefined) {
      problems.push(`ack for an unknown or already acked envelope ${message.envelope_id}`);
      return;
    }
    pending.delete(message.envelope_id);
    const elapsed = Date.now() - envelope.sentAt;
    if (elapsed > ACK_DEADLINE_MS) {
      problems.push(`ack for ${envelope.type} envelope ${message.envelope_id} after ${elapsed} ms`);
      return;
    }
    const payload = message.payload === undefined ? {} : message.payload;
    if (!isRecord(payload)) {
      problems.push(`ack payload is not an object: ${JSON.stringify(payload)}`);
      return;
    }
    if (!envelope.acceptsResponsePayload && Object.keys(payload).length > 0) {
      problems.push(`response payload on a ${envelope.type} envelope that accepts none`);
    }
    envelope.settle?.(payload);
  }

  return {
    get opened() {
      return opened;
    },
    get connected() {
      return connected;
    },
    live: () => livePeers().length,
    problems,
    open() {
      const ticket = randomBytes(16).toString('hex');
      tickets.set(ticket, Date.now());
      opened += 1;
      return { ok: true, url: `${wsBase}/link/?ticket=${ticket}&app_id=${appId}` };
    },
    upgrade(req, socket) {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname !== '/link/') return false;
      const ticket = url.searchParams.get('ticket') ?? '';
      const issued = tickets.get(ticket);
      tickets.delete(ticket);
      if (issued === undefined || Date.now() - issued > TICKET_TTL_MS) {
        problems.push('connection with an unknown, used or expired ticket');
        socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return true;
      }
      const peer = acceptWebSocket(req, socket, {
        onText: onAck,
        onClose: () => undefined,
        onProtocolError: (problem) => problems.push(`websocket: ${problem}`),
      });
      if (peer === undefined) return true;
      peers.push(peer);
      connected += 1;
      peer.sendText(
        JSON.stringify({
          type: 'hello',
          num_connections: livePeers().length,
          debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: appId },
        }),
      );
      const ping = () => {
        if (peer.closed) return;
        peer.ping(`ping ${Date.now()}`);
        later(SERVER_PING_MS, ping);
      };
      later(SERVER_PING_MS, ping);
      for (const waiter of waiters.filter((w) => connected >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      return true;
    },
    waitForConnections(count, timeoutMs = 30_000) {
      if (connected >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = { count, resolve };
        waiters.push(waiter);
        later(timeoutMs, () => {
          if (!waiters.includes(waiter)) return;
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`fake Slack: ${connected} Socket Mode connections, waited for ${count}`));
        });
      });
    },
    send(type, payload, opts = {}) {
      const peer = livePeers().at(-1);
      if (peer === undefined) return Promise.reject(new Error('fake Slack: no open Socket Mode connection'));
      const acceptsResponsePayload =
        opts.acceptsResponsePayload ??
        (type === 'slash_commands' || (type === 'interactive' && payload.type === 'view_submission'));
      const id = randomUUID();
      const envelope: Pending = { type, sentAt: Date.now(), acceptsResponsePayload };
      pending.set(id, envelope);
      const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
        envelope.settle = (ack) => (ack instanceof Error ? reject(ack) : resolve(ack));
      });
      later(ACK_DEADLINE_MS, () => {
        // The envelope stays pending, so an ack that still arrives is recorded as late.
        if (pending.has(id))
          envelope.settle?.(new Error(`fake Slack: no ack for ${type} envelope within 3 s`));
      });
      const message: Record<string, unknown> = {
        envelope_id: id,
        payload,
        type,
        accepts_response_payload: acceptsResponsePayload,
      };
      if (type === 'events_api') Object.assign(message, { retry_attempt: 0, retry_reason: '' });
      peer.sendText(JSON.stringify(message));
      return answer;
    },
    requestRefresh() {
      for (const peer of livePeers()) {
        peer.sendText(
          JSON.stringify({
            type: 'disconnect',
            reason: 'refresh_requested',
            debug_info: { host: 'applink-fake' },
          }),
        );
        later(CLOSE_AFTER_DISCONNECT_MS, () => peer.close(1000, 'refresh'));
      }
    },
    reset() {
      problems.length = 0;
      pending.clear();
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (let waited = 0; livePeers().length > 0 && waited < 1000; waited += 50) {
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const peer of livePeers()) peer.close(1001, 'going away');
      for (let waited = 0; livePeers().length > 0 && waited < 1000; waited += 50) {
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const peer of peers) peer.terminate();
    },
  };
}
