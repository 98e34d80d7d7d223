// A minimal RFC 6455 WebSocket server endpoint for the fake Slack's Socket Mode: the opening handshake, text frames
// both ways, ping/pong and the close handshake. Strict in what it accepts from clients, as a real server would be:
// unmasked client frames, binary frames, reserved bits and oversized control frames close the connection with 1002.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
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

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header.writeUInt8(0x80 | opcode, 0);
    header.writeUInt8(126, 1);
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(0x80 | opcode, 0);
    header.writeUInt8(127, 1);
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Answers an upgrade request with 101 and returns the peer, or writes 400 and returns undefined. */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  handlers: WebSocketHandlers,
): WebSocketPeer | undefined {
  const key = req.headers['sec-websocket-key'];
  if (
    req.headers.upgrade?.toLowerCase() !== 'websocket' ||
    typeof key !== 'string' ||
    req.headers['sec-websocket-version'] !== '13'
  ) {
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    return undefined;
  }
  const accept = createHash('sha1').update(`${key}${GUID}`).digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  let buffered = Buffer.alloc(0);
  let fragments: Buffer[] | undefined;
  let closeSent = false;
  let closed = false;
  let closeCode: number | undefined;

  // end() rather than destroy(): a close frame just written must still reach the client.
  const finish = (graceful = true) => {
    if (closed) return;
    closed = true;
    if (graceful) {
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    } else {
      socket.destroy();
    }
    handlers.onClose(closeCode);
  };
  const send = (opcode: number, payload: Buffer) => {
    if (!closed && !socket.destroyed) socket.write(frame(opcode, payload));
  };
  const sendClose = (code: number, reason = '') => {
    if (closeSent) return;
    closeSent = true;
    const body = Buffer.alloc(2 + Buffer.byteLength(reason));
    body.writeUInt16BE(code, 0);
    body.write(reason, 2);
    send(0x8, body);
  };
  const protocolError = (problem: string) => {
    handlers.onProtocolError(problem);
    sendClose(1002, 'protocol error');
    finish();
  };

  const onFrame = (fin: boolean, opcode: number, payload: Buffer) => {
    if (opcode >= 0x8) {
      if (!fin || payload.length > 125) return protocolError('fragmented or oversized control frame');
      if (opcode === 0x8) {
        closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
        sendClose(closeCode ?? 1000);
        finish();
      } else if (opcode === 0x9) {
        send(0xa, payload);
      } else if (opcode !== 0xa) {
        protocolError(`unknown control opcode ${opcode}`);
      }
      return;
    }
    if (opcode === 0x2) return protocolError('binary frame (Socket Mode speaks JSON text)');
    if (opcode === 0x1) {
      if (fragments !== undefined) return protocolError('new text frame inside a fragmented message');
      fragments = [];
    } else if (opcode !== 0x0 || fragments === undefined) {
      return protocolError(`unexpected opcode ${opcode}`);
    }
    fragments.push(payload);
    if (!fin) return;
    const text = Buffer.concat(fragments).toString('utf8');
    fragments = undefined;
    handlers.onText(text);
  };

  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (closed || buffered.length < 2) return;
      const b0 = buffered.readUInt8(0);
      const b1 = buffered.readUInt8(1);
      if ((b0 & 0x70) !== 0) return protocolError('reserved bits set');
      if ((b1 & 0x80) === 0) return protocolError('unmasked client frame');
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (length > MAX_MESSAGE_BYTES) return protocolError('message too large');
      if (buffered.length < offset + 4 + length) return;
      const mask = buffered.subarray(offset, offset + 4);
      const payload = Buffer.from(buffered.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
      buffered = buffered.subarray(offset + 4 + length);
      onFrame((b0 & 0x80) !== 0, b0 & 0x0f, payload);
    }
  });
  socket.on('close', () => finish(false));
  socket.on('error', () => finish(false));

  return {
    sendText: (text) => send(0x1, Buffer.from(text, 'utf8')),
    ping: (data = '') => send(0x9, Buffer.from(data)),
    close(code = 1000, reason = '') {
      sendClose(code, reason);
      setTimeout(() => finish(false), 2000).unref();
    },
    terminate: () => finish(false),
    get closed() {
      return closed;
    },
  };
}
