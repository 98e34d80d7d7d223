import { codeBlock, inlineCode, mrkdwn } from '../escape.ts';
import type { BuildStatus } from './build-status.ts';
import {
  actorText,
  type Blocks,
  errorText,
  requesterText,
  type SlackText,
  section,
  usableUrl,
} from './format.ts';

export type ThreadNoteKind = 'started' | 'retrying' | 'failed-detail' | 'completed' | 'cancelled';

/** The thread carries more of the log than the status message. */
const THREAD_LOG_LINES = 40;
/** A link that does not fit in a block goes into `text`, which Slack takes up to 40,000 characters. */
const MAX_TEXT_URL = 30_000;

function started(s: BuildStatus): SlackText {
  const host = s.progress?.host;
  return { text: host ? `Started on build host ${inlineCode(host, 130)}.` : 'Started.' };
}

function retrying(s: BuildStatus & { maxAttempts?: number }): SlackText {
  const attempt = s.progress?.attempt;
  const of = attempt !== undefined && s.maxAttempts !== undefined ? ` of ${s.maxAttempts}` : '';
  const n = attempt !== undefined ? ` (attempt ${attempt}${of})` : '';
  const host = s.progress?.host ? ` on build host ${inlineCode(s.progress.host, 130)}` : '';
  const error = s.error ?? s.progress?.error;
  const after = error ? ` The previous attempt stopped with ${errorText(error, 500)}` : '';
  return { text: `Retrying${host}${n}.${after}` };
}

function failedDetail(s: BuildStatus): SlackText {
  const error = s.error ?? s.progress?.error;
  if (!error) return { text: 'The build failed without an error report.' };
  const blocks: Blocks = [section(errorText(error, 2800))];
  const log = codeBlock(error.logTail.slice(-THREAD_LOG_LINES), 2900);
  if (log !== '') blocks.push(section(log));
  if (usableUrl(s.logUrl, 2900)) blocks.push(section(`<${s.logUrl}|Full build log>`));
  return { text: `Build failed: ${mrkdwn(error.message, 300)}`, blocks };
}

function completed(s: BuildStatus): SlackText {
  const who = requesterText(s.request.requester);
  const result = s.result;
  if (!result) return { text: `${who} the build finished.` };
  const url = result.link.url;
  if (s.linkExpired)
    return { text: `${who} your ISO is ready; its link has expired: press *Fresh link* above.` };
  if (usableUrl(url, 2800)) {
    return {
      text: `${who} your ISO is ready.`,
      blocks: [section(`${who} your ISO is ready: <${url}|Download ${mrkdwn(result.iso.filename, 100)}>`)],
    };
  }
  // Too long for a block but still a working link: Slack makes a bare URL in `text` clickable.
  if (usableUrl(url, MAX_TEXT_URL)) return { text: `${who} your ISO is ready: ${url}` };
  return { text: `${who} your ISO is ready: press *Fresh link* above for a download link.` };
}

function cancelled(s: BuildStatus): SlackText {
  return { text: s.cancelledBy !== undefined ? `Cancelled by ${actorText(s.cancelledBy)}.` : 'Cancelled.' };
}

/**
 * The few thread replies under a status message: started on a host, retrying after an error, the failure with a
 * longer log tail, the completion (which mentions the requester, the one ping a build makes), and who cancelled.
 * `maxAttempts` (from worker config) lets the retry note say "attempt 2 of 3".
 */
export function threadNote(kind: ThreadNoteKind, s: BuildStatus & { maxAttempts?: number }): SlackText {
  switch (kind) {
    case 'started':
      return started(s);
    case 'retrying':
      return retrying(s);
    case 'failed-detail':
      return failedDetail(s);
    case 'completed':
      return completed(s);
    case 'cancelled':
      return cancelled(s);
  }
}
