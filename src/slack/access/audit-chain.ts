import { createHash } from 'node:crypto';

/**
 * Each build's audit lines form a hash chain: every line carries `prev`, the sha256 of the line before it (the
 * first carries GENESIS). Editing, removing or reordering a line breaks the chain at that point, so an edit of
 * builds/<id>/audit.jsonl shows.
 */
export const GENESIS = '0'.repeat(64);

export const lineHash = (line: string): string =>
  createHash('sha256').update(line.replace(/\n$/, '')).digest('hex');

/** The next line of a chain whose last line is `last` (undefined for the first). */
export function chainLine(entry: Record<string, unknown>, last: string | undefined): string {
  const prev = last === undefined ? GENESIS : lineHash(last);
  return `${JSON.stringify({ ...entry, prev })}\n`;
}

export type ChainCheck = { ok: true; lines: number } | { ok: false; line: number; reason: string };

/** Checks a whole audit.jsonl text; `line` in a failure is 1-based. */
export function verifyChain(text: string): ChainCheck {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return { ok: false, line: 0, reason: 'the audit file is empty' };
  let expected = GENESIS;
  for (const [i, line] of lines.entries()) {
    let prev: unknown;
    try {
      prev = (JSON.parse(line) as { prev?: unknown }).prev;
    } catch {
      return { ok: false, line: i + 1, reason: 'not a JSON line' };
    }
    if (prev !== expected) {
      return {
        ok: false,
        line: i + 1,
        reason:
          i === 0
            ? 'the first line does not start the chain'
            : 'does not carry the hash of the line before it',
      };
    }
    expected = lineHash(line);
  }
  return { ok: true, lines: lines.length };
}
