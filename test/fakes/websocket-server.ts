// The WebSocket endpoint of the fake Slack's Socket Mode, on the `ws` library (the protocol itself is not ours to
// get right). Strict in what it accepts from clients, as a real server is: `ws` closes the connection with 1002 on
// unmasked frames, reserved bits and oversized control frames; binary frames are refused here because Socket Mode
// speaks JSON text.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

const MAX_MESSAGE_BYTES = 1_000_000;

export interface WebSocketPeer {
  sendText(text: string): void;
  ping(data?: string): void;
  /** Starts the close handshake; the socket ends when the client answers (or after 2 s). */
  close(code?: number, reason?: string): void;
  /** Drops the TCP connection without a close frame, as a network failure would. */
  terminate(): void;
  readonly closed: boolean;
}

export interface WebSocketHandlers {
  onText(text: string): void;
  onClose(code: number | undefined): void;
  /** A protocol violation by the client (the connection is closed with 1002). */
  onProtocolError(problem: string): void;
}

/** `ws` error codes of client protocol violations, in the words the fake reports them. */
const PROTOCOL_PROBLEMS: Record<string, string> = {
  WS_ERR_EXPECTED_MASK: 'unmasked client frame',
  WS_ERR_UNEXPECTED_RSV_1: 'reserved bits set',
  WS_ERR_UNEXPECTED_RSV_2_3: 'reserved bits set',
  WS_ERR_EXPECTED_FIN: 'fragmented or oversized control frame',
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 'fragmented or oversized control frame',
  WS_ERR_INVALID_OPCODE: 'unknown opcode',
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 'message too large',
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 'message too large',
  WS_ERR_INVALID_UTF8: 'invalid UTF-8 in a text frame',
};

const server = new WebSocketServer({
  noServer: true,
  maxPayload: MAX_MESSAGE_BYTES,
  perMessageDeflate: false,
});

/** Answers an upgrade request with 101 and returns the peer, or answers 400 and returns undefined. */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  handlers: WebSocketHandlers,
): WebSocketPeer | undefined {
  let ws: WebSocket | undefined;
  // Without extensions or a verifyClient hook, `ws` completes the handshake and calls back synchronously; an
  // invalid handshake is answered with 400 and never calls back.
  server.handleUpgrade(req, socket, Buffer.alloc(0), (accepted) => {
    ws = accepted;
  });
  if (ws === undefined) return undefined;
  const peer: WebSocket = ws;
  let closed = false;
  const finish = (code: number | undefined) => {
    if (closed) return;
    closed = true;
    handlers.onClose(code);
  };
  peer.on('message', (data, isBinary) => {
    if (isBinary) {
      handlers.onProtocolError('binary frame (Socket Mode speaks JSON text)');
      peer.close(1002, 'protocol error');
      return;
    }
    handlers.onText(data.toString());
  });
  peer.on('error', (error: Error & { code?: string }) => {
    handlers.onProtocolError(PROTOCOL_PROBLEMS[error.code ?? ''] ?? error.message);
  });
  peer.on('close', (code) => finish(code));
  return {
    sendText: (text) => {
      if (peer.readyState === peer.OPEN) peer.send(text);
    },
    ping: (data = '') => {
      if (peer.readyState === peer.OPEN) peer.ping(data);
    },
    close(code = 1000, reason = '') {
      peer.close(code, reason);
      setTimeout(() => peer.terminate(), 2000).unref();
    },
    terminate: () => {
      peer.terminate();
      finish(undefined);
    },
    get closed() {
      return closed || peer.readyState === peer.CLOSING || peer.readyState === peer.CLOSED;
    },
  };
}
