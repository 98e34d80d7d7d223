/**
 * Conditional and range requests for a file that never changes once it has a name (the local store renames a
 * finished file into place, so one path + inode + mtime + size is always the same bytes): the ETag is strong.
 * Only single byte ranges are served; a multi-range request gets the whole file with 200, as the HTTP semantics
 * allow a server that ignores Range, which every client (curl -C -, browsers, download managers) handles.
 */

export interface FileVersion {
  size: number;
  mtimeMs: number;
  ino: number | bigint;
}

export type RangeDecision =
  | { status: 200 }
  | { status: 304 }
  | { status: 206; start: number; end: number }
  | { status: 416 };

export interface RangeHeaders {
  range?: string | undefined;
  ifRange?: string | undefined;
  ifNoneMatch?: string | undefined;
}

export function etagOf(file: FileVersion): string {
  return `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}-${file.ino.toString(16)}"`;
}

/** HTTP-date of the file's mtime (whole seconds, as the header format has no more). */
export function lastModifiedOf(file: FileVersion): string {
  return new Date(Math.floor(file.mtimeMs / 1000) * 1000).toUTCString();
}

const opaque = (tag: string) => tag.trim().replace(/^W\//, '');

/** If-None-Match uses the weak comparison: `*` or any listed tag equal to ours once `W/` is dropped. */
function noneMatchHits(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => opaque(tag) === etag);
}

/**
 * If-Range holds when it names our strong ETag exactly, or is an HTTP-date equal to our Last-Modified (a date is
 * only a validator when the file is older than a second, which every finished artifact is).
 */
function ifRangeHolds(header: string, file: FileVersion): boolean {
  const value = header.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etagOf(file);
  return value === lastModifiedOf(file);
}

/** One `bytes=` range against `size`: the inclusive span, 'unsatisfiable', or undefined when it does not parse. */
function parseOneRange(
  spec: string,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^(\d*)-(\d*)$/.exec(spec.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // A suffix range: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** What to answer a GET or HEAD of `file` with these request headers. */
export function decideRange(headers: RangeHeaders, file: FileVersion): RangeDecision {
  const etag = etagOf(file);
  if (headers.ifNoneMatch !== undefined && noneMatchHits(headers.ifNoneMatch, etag)) return { status: 304 };
  const range = headers.range?.trim();
  if (!range) return { status: 200 };
  if (headers.ifRange !== undefined && !ifRangeHolds(headers.ifRange, file)) return { status: 200 };
  const unit = /^bytes=(.*)$/i.exec(range);
  // Another unit, or a malformed header: ignored, the whole file is sent.
  if (!unit?.[1]) return { status: 200 };
  const specs = unit[1].split(',');
  if (specs.length !== 1) return { status: 200 };
  const parsed = parseOneRange(specs[0] ?? '', file.size);
  if (parsed === undefined) return { status: 200 };
  if (parsed === 'unsatisfiable') return { status: 416 };
  return { status: 206, ...parsed };
}
