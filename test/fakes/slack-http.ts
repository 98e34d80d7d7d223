// HTTP plumbing of the fake Slack: bounded body reading, Web API argument decoding and JSON replies.
// @slack/web-api v8 (WebClient#serializeBody) sends `application/x-www-form-urlencoded` bodies whose non-scalar
// arguments are JSON strings (blocks, view, metadata, attachments); numbers and booleans arrive as strings.
import type { IncomingMessage } from 'node:http';
import { isRecord } from './block-kit-checks.ts';
import type { Args, Failure } from './slack-args.ts';

const MAX_BODY_BYTES = 1_000_000;
const JSON_FORM_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata']);
export type Reply = { status: number; body: string; headers?: Record<string, string> };

export function jsonReply(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return {
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  };
}

export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Request arguments, or the Slack error for an unreadable body. */
export function decodeArgs(contentType: string | undefined, raw: string): { args: Args } | Failure {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw === '') return { args: {} };
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(raw);
      return isRecord(parsed) ? { args: parsed } : { ok: false, error: 'invalid_json' };
    } catch {
      return { ok: false, error: 'invalid_json' };
    }
  }
  if (type !== 'application/x-www-form-urlencoded') {
    return { ok: false, error: type === '' ? 'missing_post_type' : 'invalid_post_type' };
  }
  const args: Args = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (key === '__proto__') continue;
    let decoded: unknown = value;
    if (JSON_FORM_FIELDS.has(key)) {
      try {
        decoded = JSON.parse(value);
      } catch {
        // Left as a string: the method answers invalid_blocks_format / invalid_arguments.
      }
    }
    args[key] = decoded;
  }
  return { args };
}

export function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}
