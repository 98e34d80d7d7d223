// response_url endpoints of the fake Slack. Bolt's respond() POSTs JSON there (bolt-js src/context/create-respond.ts)
// and throws RespondError on any non-2xx. Limits: 5 uses within 30 minutes (Slack's interactivity docs). Slack answers these
// URLs in plain text; the error words below ('expired_url', 'used_url', 'invalid_blocks', 'no_text') are Slack-like.
import { isRecord } from './block-kit-checks.ts';
import { blockKitProblems } from './block-kit-limits.ts';

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export type ResponseCheck = { body: Record<string, unknown> } | { status: number; error: string };

/** The JSON body of a response_url POST, or the HTTP status and text Slack-like endpoints answer with. */
export function checkResponseBody(contentType: string | undefined, raw: string): ResponseCheck {
  if (!(contentType ?? '').toLowerCase().startsWith('application/json')) {
    return { status: 400, error: 'invalid_payload: expected application/json' };
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { status: 400, error: 'invalid_payload' };
  }
  if (!isRecord(body)) return { status: 400, error: 'invalid_payload' };
  const text = body.text;
  if (text !== undefined && typeof text !== 'string') return { status: 400, error: 'invalid_payload: text' };
  const hasBlocks = Array.isArray(body.blocks) && body.blocks.length > 0;
  if (!text && !hasBlocks && body.delete_original !== true) return { status: 400, error: 'no_text' };
  if (text !== undefined && text.length > 40_000) return { status: 400, error: 'msg_too_long' };
  const rt = body.response_type;
  if (rt !== undefined && rt !== 'ephemeral' && rt !== 'in_channel') {
    return { status: 400, error: 'invalid_payload: response_type' };
  }
  const problems = blockKitProblems('message', { blocks: body.blocks });
  if (problems.length > 0) return { status: 400, error: ['invalid_blocks', ...problems].join('\n') };
  return { body };
}
