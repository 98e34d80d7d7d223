import { AppError } from './errors.ts';

/**
 * String checks shared by request validation and the argv/config builders. Every value that reaches a kickstart,
 * a TOML file, a podman argv or a Slack message goes through one of these first.
 */

export type UnsafeCharKind = 'line-break' | 'control' | 'bidi' | 'surrogate';

export interface UnsafeChar {
  /** 0-based UTF-16 index. */
  index: number;
  codePoint: number;
  kind: UnsafeCharKind;
}

const CONTROL_NAMES: Record<number, string> = {
  0: 'NUL',
  7: 'BEL',
  8: 'backspace',
  9: 'tab',
  10: 'line feed',
  13: 'carriage return',
  27: 'escape',
  127: 'DEL',
  8232: 'line separator',
  8233: 'paragraph separator',
};

// Trojan Source (CVE-2021-42574) controls plus the invisible direction marks: they make text render differently
// from what the builder will actually receive.
function isBidiControl(cp: number): boolean {
  return (
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0x200e ||
    cp === 0x200f ||
    cp === 0x061c
  );
}

function classify(cp: number): UnsafeCharKind | undefined {
  if (cp === 0x0a || cp === 0x0d || cp === 0x2028 || cp === 0x2029) return 'line-break';
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'control';
  if (isBidiControl(cp)) return 'bidi';
  // A lone surrogate cannot be encoded as UTF-8, so TOML and Slack would silently replace it.
  if (cp >= 0xd800 && cp <= 0xdfff) return 'surrogate';
  return undefined;
}

/** The first character that is never acceptable in a single-line field; `allow` exempts \n and \t in text blocks. */
export function findUnsafeChar(
  value: string,
  allow: { newline?: boolean; tab?: boolean } = {},
): UnsafeChar | undefined {
  let index = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    const allowed = (allow.newline === true && cp === 0x0a) || (allow.tab === true && cp === 0x09);
    const kind = allowed ? undefined : classify(cp);
    if (kind) return { index, codePoint: cp, kind };
    index += ch.length;
  }
  return undefined;
}

export function describeCodePoint(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = CONTROL_NAMES[cp];
  return name ? `${hex} (${name})` : hex;
}

/** A short, escaped rendition of user input for error messages: hostile characters become visible escapes. */
export function quoteForMessage(value: string, maxLen = 60): string {
  const cut = value.length > maxLen ? `${value.slice(0, maxLen)}…` : value;
  let out = '';
  for (const ch of cut) {
    const cp = ch.codePointAt(0) ?? 0;
    out += classify(cp) ? `\\u{${cp.toString(16)}}` : ch;
  }
  return `"${out}"`;
}

function unsafeCharProblem(label: string, bad: UnsafeChar): string {
  const at = `at character ${bad.index + 1}`;
  const what = describeCodePoint(bad.codePoint);
  switch (bad.kind) {
    case 'line-break':
      return `${label}: must be a single line (line break ${what} ${at}); remove it`;
    case 'control':
      return `${label}: contains the control character ${what} ${at}; remove it`;
    case 'bidi':
      return `${label}: contains the invisible text-direction control ${what} ${at}, which makes text display differently from what it is; remove it`;
    case 'surrogate':
      return `${label}: contains broken Unicode (lone surrogate ${what}) ${at}; retype the text`;
  }
}

export function lengthProblem(label: string, value: string, maxLen: number): string | undefined {
  return value.length > maxLen
    ? `${label}: ${value.length} characters is over the ${maxLen} limit; shorten it`
    : undefined;
}

export function singleLineProblem(value: string, label: string, maxLen: number): string | undefined {
  const tooLong = lengthProblem(label, value, maxLen);
  if (tooLong) return tooLong;
  const bad = findUnsafeChar(value);
  return bad ? unsafeCharProblem(label, bad) : undefined;
}

/** Windows line endings are normalised rather than refused: people paste kickstarts from every editor. */
export function normaliseNewlines(value: string): string {
  return value.replace(/\r\n/g, '\n');
}

/** Checks an already normalised text block: \n and \t are fine, a lone \r is not. */
export function multiLineProblem(value: string, label: string, maxLen: number): string | undefined {
  const tooLong = lengthProblem(label, value, maxLen);
  if (tooLong) return tooLong;
  const bad = findUnsafeChar(value, { newline: true, tab: true });
  if (!bad) return undefined;
  if (bad.codePoint === 0x0d) {
    return `${label}: contains a carriage return (\\r) that is not part of a Windows line ending at character ${bad.index + 1}; use plain line breaks`;
  }
  if (bad.kind === 'line-break') {
    return `${label}: contains the Unicode ${describeCodePoint(bad.codePoint)} at character ${bad.index + 1}; use a plain line break`;
  }
  return unsafeCharProblem(label, bad);
}

export function printableAsciiProblem(value: string, label: string, maxLen: number): string | undefined {
  const basic = singleLineProblem(value, label, maxLen);
  if (basic) return basic;
  const index = value.search(/[^\x20-\x7e]/);
  if (index < 0) return undefined;
  const cp = value.codePointAt(index) ?? 0;
  return `${label}: ${quoteForMessage(String.fromCodePoint(cp))} (${describeCodePoint(cp)}) at character ${index + 1} is not plain ASCII; use only printable ASCII characters`;
}

export function invalidRequest(field: string, message: string): AppError {
  return new AppError('INVALID_REQUEST', message, { field });
}

function throwIf(problem: string | undefined, field: string): void {
  if (problem) throw invalidRequest(field, problem);
}

/** Throws INVALID_REQUEST naming `field` unless the value is one line of safe text within maxLen. */
export function assertSingleLine(value: string, field: string, maxLen: number, label: string = field): void {
  throwIf(singleLineProblem(value, label, maxLen), field);
}

/** Throws unless the value is a safe text block; returns it with \r\n normalised to \n. */
export function assertMultiLine(value: string, field: string, maxLen: number, label: string = field): string {
  const normalised = normaliseNewlines(value);
  throwIf(multiLineProblem(normalised, label, maxLen), field);
  return normalised;
}

export function assertPrintableAscii(
  value: string,
  field: string,
  maxLen: number,
  label: string = field,
): void {
  throwIf(printableAsciiProblem(value, label, maxLen), field);
}

/** Runs a check and passes its AppError to `report` instead of throwing, so a form can show every problem at once. */
export function collect(report: (error: AppError) => void, check: () => void): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof AppError) {
      report(error);
      return false;
    }
    throw error;
  }
}
