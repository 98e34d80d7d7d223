/**
 * Text helpers for Slack mrkdwn. Everything a user or a tool wrote goes through escapeMrkdwn before it reaches a
 * message, so input can never become a mention (`<!channel>`, `<@U…>`) or a link (`<https://…|…>`).
 * Lengths are UTF-16 code units, which is how Slack counts its limits.
 */

const ELLIPSIS = '…';

/** Escapes the three characters Slack treats as control characters in mrkdwn: & < >. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts `s` to at most `max` UTF-16 units, ending in '…' when something was cut; never splits a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 0) return '';
  let cut = s.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}${ELLIPSIS}`;
}

/** Escapes then truncates, without leaving half an entity (`&am…`) at the cut. */
export function mrkdwn(s: string, max: number): string {
  const escaped = escapeMrkdwn(s);
  if (escaped.length <= max) return escaped;
  const cut = truncate(escaped, max);
  return cut.replace(/&[a-z]{0,3}…$/, ELLIPSIS);
}

// ANSI colour/cursor sequences from tool output, then any other control character except tab.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

/** One line of tool output made safe for a code block: no control characters, no backticks, mrkdwn-escaped. */
function codeLine(line: string): string {
  // A backtick run could close the fence early; U+02CB (modifier grave accent) looks the same and cannot.
  return escapeMrkdwn(line.replace(ANSI, '').replace(CONTROL, '').replace(/`/g, 'ˋ'));
}

/** The last `n` UTF-16 units of `s`, never starting with half a surrogate pair. */
function tail(s: string, n: number): string {
  const out = s.slice(Math.max(s.length - n, 0));
  const first = out.charCodeAt(0);
  return first >= 0xdc00 && first <= 0xdfff ? out.slice(1) : out;
}

/** Inline code (`…`) for a short value such as a build id or digest; backticks inside are neutralised. */
export function inlineCode(s: string, max = 2000): string {
  return `\`${truncate(codeLine(s), Math.max(max - 2, 1))}\``;
}

/**
 * A fenced code block of at most `max` characters holding the LAST lines that fit (logs end with the error), with a
 * note about the lines left out. Returns '' for no lines: Slack refuses empty texts, so callers skip the block.
 */
export function codeBlock(lines: readonly string[], max: number): string {
  const open = '```\n';
  const close = '\n```';
  const budget = max - open.length - close.length;
  if (lines.length === 0 || budget < 20) return '';
  const kept: string[] = [];
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = codeLine(lines[i] ?? '');
    const cost = line.length + (kept.length > 0 ? 1 : 0);
    // Room for the "… N earlier lines" note (about 40 characters) whenever something is left out.
    const reserve = i > 0 ? 40 : 0;
    if (used + cost + reserve > budget) {
      if (kept.length === 0) kept.push(`${ELLIPSIS}${tail(line, budget - 41)}`);
      break;
    }
    kept.unshift(line);
    used += cost;
  }
  const omitted = lines.length - kept.length;
  if (omitted > 0) kept.unshift(`${ELLIPSIS} ${omitted} earlier line${omitted === 1 ? '' : 's'} not shown`);
  return `${open}${kept.join('\n')}${close}`;
}
