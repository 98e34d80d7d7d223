import type { types } from '@slack/bolt';
import type { Requester } from '../../domain/build-request.ts';
import { ERROR_CODES, type ErrorSummary } from '../../domain/errors.ts';
import { mrkdwn, truncate } from '../escape.ts';

/** Small Block Kit and wording helpers shared by the status message and the command replies. */

export type Blocks = (types.KnownBlock | types.Block)[];

export interface SlackText {
  text: string;
  blocks?: Blocks;
}

const SLACK_ID = /^[A-Z0-9]{2,64}$/;
// Member ids start with U or W; a CLI user name is lowercase, so it is never mistaken for one.
const SLACK_USER = /^[UW][A-Z0-9]{8,63}$/;

/** `<@U…>` for a Slack user id; anything else is shown as escaped text, so it can never become a mention. */
export function mention(userId: string): string {
  return SLACK_ID.test(userId) ? `<@${userId}>` : mrkdwn(userId, 64);
}

/** Who asked for a build: a mention for Slack, the CLI user name (escaped) otherwise. */
export function requesterText(requester: Requester): string {
  return requester.kind === 'slack' ? mention(requester.userId) : `${mrkdwn(requester.user, 64)} (CLI)`;
}

/**
 * Who cancelled: a Slack user id (optionally "slack:U…") becomes a mention, "cli:alice" or any other text is
 * shown escaped.
 */
export function actorText(actor: string): string {
  const id = actor.startsWith('slack:') ? actor.slice(6) : actor;
  if (SLACK_USER.test(id)) return `<@${id}>`;
  const cli = actor.startsWith('cli:') ? actor.slice(4) : actor;
  return `${mrkdwn(cli, 64)}${actor.startsWith('cli:') ? ' (CLI)' : ''}`;
}

/** `<#C…>` for a channel id, else escaped text. */
export function channelText(channelId: string): string {
  return SLACK_ID.test(channelId) ? `<#${channelId}>` : mrkdwn(channelId, 64);
}

/** 1536 → "1.5 KiB"; ISOs are reported in binary units like `ls -lh`. */
export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 3_725_000 → "1 h 2 min"; 65_000 → "1 min 5 s". */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${s % 60} s`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** Slack's date formatting (shown in the reader's time zone) with a UTC fallback for old clients. */
export function slackDate(when: Date | string, format = '{date_short_pretty} {time}'): string {
  const date = typeof when === 'string' ? new Date(when) : when;
  const ms = date.getTime();
  if (Number.isNaN(ms)) return 'unknown time';
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallback}>`;
}

/**
 * A 10-cell bar with the percentage rounded to the nearest 10, so the rendered message (and with it chat.update)
 * changes at most ten times per build however often the worker reports.
 */
export function progressBar(percent: number): string {
  const tens = Number.isFinite(percent) ? Math.min(Math.max(Math.round(percent / 10), 0), 10) : 0;
  return `${'█'.repeat(tens)}${'░'.repeat(10 - tens)} ${tens * 10}%`;
}

/** A URL Slack will accept in a button or a `<url|label>` link: http(s), no spaces or mrkdwn delimiters. */
export function usableUrl(url: string | undefined, max = 3000): url is string {
  return url !== undefined && url.length <= max && /^https?:\/\/[^\s<>|]+$/.test(url);
}

export const section = (text: string): types.SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, 3000) },
});

export const fields = (items: string[]): types.SectionBlock => ({
  type: 'section',
  fields: items.slice(0, 10).map((text) => ({ type: 'mrkdwn', text: truncate(text, 2000) })),
});

export const context = (text: string): types.ContextBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: truncate(text, 3000) }],
});

export function button(
  actionId: string,
  text: string,
  opts: {
    value?: string;
    url?: string;
    style?: 'primary' | 'danger';
    confirm?: types.ConfirmationDialog;
  } = {},
): types.Button {
  const out: types.Button = {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: truncate(text, 75) },
  };
  if (opts.value !== undefined) out.value = opts.value.slice(0, 2000);
  if (opts.url !== undefined) out.url = opts.url;
  if (opts.style) out.style = opts.style;
  if (opts.confirm) out.confirm = opts.confirm;
  return out;
}

/** An actions block, or nothing when there are no buttons (Slack refuses an empty one). */
export function actions(buttons: types.Button[]): types.ActionsBlock[] {
  return buttons.length > 0 ? [{ type: 'actions', elements: buttons.slice(0, 25) }] : [];
}

/** One line of plain text for `text` fallbacks and notifications. */
export function oneLine(s: string, max = 300): string {
  return mrkdwn(s.replace(/\s+/g, ' ').trim(), max);
}

/** "*Registry not allowed:* message"; a code this version does not know (another worker version) is titled "Error". */
export function errorText(error: ErrorSummary, max = 1500): string {
  const known = Object.hasOwn(ERROR_CODES, error.code) ? ERROR_CODES[error.code].title : 'error';
  const title = known.charAt(0).toUpperCase() + known.slice(1);
  return `*${title}:* ${mrkdwn(error.message, max)}`;
}
