import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** One line of SHA256SUMS. */
export interface ChecksumEntry {
  name: string;
  sha256: string;
}

export const SHA256SUMS = 'SHA256SUMS';
export const SHA256SUMS_SIG = 'SHA256SUMS.sig';
export const PROVENANCE = 'provenance.intoto.json';

/**
 * A name `sha256sum -c` reads back as written: no directory part (the file sits next to SHA256SUMS), no line breaks
 * or backslashes (coreutils would escape those), nothing that starts with "*" (the binary-mode flag).
 */
export function checksumNameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'is empty or a directory';
  if (/[/\\\n\r\0]/.test(name)) return 'contains "/", "\\", a line break or NUL';
  if (name.startsWith('*')) return 'starts with "*"';
  return undefined;
}

/** coreutils format: `<64 hex>  <name>\n` per file, in the given order. */
export function formatSha256Sums(entries: ChecksumEntry[]): string {
  return entries
    .map(({ name, sha256 }) => {
      const problem = checksumNameProblem(name);
      if (problem) throw new Error(`artifact name ${JSON.stringify(name)} ${problem}`);
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`sha256 of ${name} is not 64 lowercase hex digits`);
      return `${sha256}  ${name}\n`;
    })
    .join('');
}

/** Reads SHA256SUMS back; throws on any line `sha256sum -c` would not accept, or a name listed twice. */
export function parseSha256Sums(text: string): ChecksumEntry[] {
  const entries: ChecksumEntry[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!match) throw new Error(`line ${index + 1} is not "<sha256>  <file name>"`);
    const [, sha256, name] = match as unknown as [string, string, string];
    if (checksumNameProblem(name)) throw new Error(`line ${index + 1} names ${JSON.stringify(name)}`);
    if (entries.some((e) => e.name === name)) throw new Error(`${name} is listed twice`);
    entries.push({ name, sha256: sha256.toLowerCase() });
  }
  if (entries.length === 0) throw new Error('it lists no files');
  return entries;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256Of(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
