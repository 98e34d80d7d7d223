// Signed requests to a Bolt HTTP receiver (`/slack/events`), built the way Slack builds them:
// slash commands are form fields, interactivity is one `payload` form field holding JSON, and each request carries
// `x-slack-signature: v0=<hex HMAC-SHA256(secret, "v0:<ts>:<raw body>")>` plus `x-slack-request-timestamp`.
import { createHmac } from 'node:crypto';

export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

export interface SendOptions {
  /** Defaults to now; use an old value to exercise Bolt's 5-minute staleness check. */
  timestampSeconds?: number;
  /** Sign with a different secret, so the receiver must answer 401. */
  badSignature?: boolean;
}

export interface SlackHttpResponse {
  status: number;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
}

export interface SlashCommandFields {
  command?: string;
  text: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  channel_name?: string;
  team_id?: string;
  trigger_id: string;
  response_url: string;
}

const TEAM_ID = 'T0TEST';
const APP_ID = 'A0FAKEAPP';
/** Slack still sends the deprecated verification token; Bolt ignores it. */
const VERIFICATION_TOKEN = 'fake-verification-token';
const REQUEST_TIMEOUT_MS = 10_000;

export function signSlackRequest(
  secret: string,
  body: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const timestamp = String(timestampSeconds);
  const hex = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${hex}`, 'x-slack-request-timestamp': timestamp };
}

async function postSigned(
  url: string,
  secret: string,
  body: string,
  opts: SendOptions,
): Promise<SlackHttpResponse> {
  const signingSecret = opts.badSignature ? `${secret}-but-wrong` : secret;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(signingSecret, body, opts.timestampSeconds),
    },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  const result: SlackHttpResponse = { status: response.status, body: text };
  try {
    result.json = JSON.parse(text);
  } catch {
    // Not JSON: an empty ack() body or plain text.
  }
  return result;
}

/** POSTs a slash command exactly as Slack does (field order as in Slack's documented example body). */
export async function sendSlashCommand(
  url: string,
  secret: string,
  fields: SlashCommandFields,
  opts: SendOptions = {},
): Promise<SlackHttpResponse> {
  const teamId = fields.team_id ?? TEAM_ID;
  const body = new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: 'test',
    channel_id: fields.channel_id,
    channel_name: fields.channel_name ?? 'test',
    user_id: fields.user_id,
    user_name: fields.user_name ?? fields.user_id.toLowerCase(),
    command: fields.command ?? '/bootc-iso',
    text: fields.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id,
  }).toString();
  return postSigned(url, secret, body, opts);
}

/** POSTs an interactivity payload (block_actions, view_submission, …) as the form field `payload`. */
export async function sendInteraction(
  url: string,
  secret: string,
  payload: Record<string, unknown>,
  opts: SendOptions = {},
): Promise<SlackHttpResponse> {
  return postSigned(url, secret, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), opts);
}

function userObject(userId: string, teamId: string): Record<string, unknown> {
  return { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: teamId };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws unless every `values[block_id][action_id]` names an input block and its element in `view`. */
function assertValuesMatchView(
  view: Record<string, unknown>,
  values: Record<string, Record<string, unknown>>,
) {
  const inputs = new Map<string, unknown>();
  for (const block of Array.isArray(view.blocks) ? view.blocks : []) {
    if (
      isRecord(block) &&
      block.type === 'input' &&
      typeof block.block_id === 'string' &&
      isRecord(block.element)
    ) {
      inputs.set(block.block_id, block.element.action_id);
    }
  }
  for (const [blockId, actions] of Object.entries(values)) {
    if (!inputs.has(blockId)) {
      throw new Error(`viewSubmissionPayload: no input block with block_id '${blockId}' in the view`);
    }
    for (const actionId of Object.keys(actions)) {
      if (inputs.get(blockId) !== actionId) {
        throw new Error(
          `viewSubmissionPayload: input block '${blockId}' has no element with action_id '${actionId}'`,
        );
      }
    }
  }
}

/**
 * A `view_submission` payload for `view` (ideally the view as the fake returned it from views.open) with
 * `state.values` = `values`, e.g. `{ image: { image_ref: { type: 'plain_text_input', value: 'quay.io/x' } } }`.
 * Only input blocks carry values, so naming any other block or action id throws: the test, not the app, is wrong.
 */
export function viewSubmissionPayload(args: {
  userId: string;
  teamId?: string;
  view: Record<string, unknown>;
  values: Record<string, Record<string, unknown>>;
  triggerId?: string;
}): Record<string, unknown> {
  assertValuesMatchView(args.view, args.values);
  const teamId = args.teamId ?? TEAM_ID;
  return {
    type: 'view_submission',
    team: { id: teamId, domain: 'test' },
    user: userObject(args.userId, teamId),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: args.triggerId ?? '1000000000.47445629121.view-submission',
    view: { id: 'V0UNOPENED', team_id: teamId, ...args.view, state: { values: args.values } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** A `block_actions` payload for a click on one element of a message (a button unless `actionType` says otherwise). */
export function blockActionsPayload(args: {
  userId: string;
  channelId: string;
  messageTs: string;
  actionId: string;
  value?: string;
  blockId?: string;
  triggerId: string;
  responseUrl: string;
  teamId?: string;
  actionType?: string;
  /** The clicked message as the app posted it; defaults to a bare message with that ts. */
  message?: Record<string, unknown>;
}): Record<string, unknown> {
  const teamId = args.teamId ?? TEAM_ID;
  const action: Record<string, unknown> = {
    type: args.actionType ?? 'button',
    action_id: args.actionId,
    block_id: args.blockId ?? 'actions',
    action_ts: `${Math.floor(Date.now() / 1000)}.000000`,
  };
  if (args.value !== undefined) action.value = args.value;
  return {
    type: 'block_actions',
    user: userObject(args.userId, teamId),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: args.messageTs,
      channel_id: args.channelId,
      is_ephemeral: false,
    },
    trigger_id: args.triggerId,
    team: { id: teamId, domain: 'test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: args.channelId, name: 'test' },
    message: args.message ?? { type: 'message', ts: args.messageTs, text: '' },
    state: { values: {} },
    response_url: args.responseUrl,
    actions: [action],
  };
}

interface InputElement {
  type: string;
  action_id: string;
  initial_value?: string;
  initial_option?: unknown;
  initial_options?: unknown[];
}

/**
 * The `state.values` Slack sends for a submitted view: every input block, holding its initial value unless the
 * person changed it (`changes`, keyed by block id, value = the element state, e.g. `{ type, value }`).
 */
export function submittedState(
  view: Record<string, unknown>,
  changes: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  const blocks = (view.blocks ?? []) as { type: string; block_id?: string; element?: InputElement }[];
  for (const block of blocks) {
    if (block.type !== 'input' || !block.block_id || !block.element) continue;
    const el = block.element;
    const initial: Record<string, unknown> = { type: el.type };
    if (el.type === 'plain_text_input') initial.value = el.initial_value ?? null;
    if (el.type === 'static_select' || el.type === 'radio_buttons')
      initial.selected_option = el.initial_option ?? null;
    if (el.type === 'checkboxes') initial.selected_options = el.initial_options ?? [];
    values[block.block_id] = { [el.action_id]: { ...initial, ...changes[block.block_id] } };
  }
  return values;
}
