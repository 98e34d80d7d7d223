import { describe, expect, it } from 'vitest';
import { decideRange, etagOf, lastModifiedOf } from '../../../src/http/byte-range.ts';

const FILE = { size: 1000, mtimeMs: 1_700_000_000_123, ino: 42 };
const ETAG = etagOf(FILE);

describe('decideRange', () => {
  it('serves the whole file without a Range header', () => {
    expect(decideRange({}, FILE)).toEqual({ status: 200 });
  });

  it('serves one range: closed, open-ended, suffix, and clamps an end past the file', () => {
    expect(decideRange({ range: 'bytes=0-99' }, FILE)).toEqual({ status: 206, start: 0, end: 99 });
    expect(decideRange({ range: 'bytes=900-' }, FILE)).toEqual({ status: 206, start: 900, end: 999 });
    expect(decideRange({ range: 'bytes=-100' }, FILE)).toEqual({ status: 206, start: 900, end: 999 });
    expect(decideRange({ range: 'bytes=-5000' }, FILE)).toEqual({ status: 206, start: 0, end: 999 });
    expect(decideRange({ range: 'bytes=990-5000' }, FILE)).toEqual({ status: 206, start: 990, end: 999 });
    expect(decideRange({ range: 'BYTES=999-999' }, FILE)).toEqual({ status: 206, start: 999, end: 999 });
  });

  it('answers 416 for a range past the end, a zero suffix, and any range of an empty file', () => {
    expect(decideRange({ range: 'bytes=1000-' }, FILE)).toEqual({ status: 416 });
    expect(decideRange({ range: 'bytes=5000-6000' }, FILE)).toEqual({ status: 416 });
    expect(decideRange({ range: 'bytes=-0' }, FILE)).toEqual({ status: 416 });
    expect(decideRange({ range: 'bytes=0-' }, { ...FILE, size: 0 })).toEqual({ status: 416 });
  });

  it('ignores malformed ranges, other units and multi-range requests (the whole file, 200)', () => {
    for (const range of ['bytes=abc', 'bytes=5-1', 'bytes=-', 'items=0-1', 'bytes=0-1,5-6', 'bytes=']) {
      expect(decideRange({ range }, FILE), range).toEqual({ status: 200 });
    }
  });

  it('answers 304 when If-None-Match names the ETag (weakly) or is *', () => {
    expect(decideRange({ ifNoneMatch: ETAG }, FILE)).toEqual({ status: 304 });
    expect(decideRange({ ifNoneMatch: `"other", W/${ETAG}` }, FILE)).toEqual({ status: 304 });
    expect(decideRange({ ifNoneMatch: '*', range: 'bytes=0-1' }, FILE)).toEqual({ status: 304 });
    expect(decideRange({ ifNoneMatch: '"other"' }, FILE)).toEqual({ status: 200 });
  });

  it('honours Range only while If-Range still matches (strong ETag or the exact Last-Modified date)', () => {
    const range = 'bytes=10-19';
    expect(decideRange({ range, ifRange: ETAG }, FILE)).toEqual({ status: 206, start: 10, end: 19 });
    expect(decideRange({ range, ifRange: lastModifiedOf(FILE) }, FILE)).toEqual({
      status: 206,
      start: 10,
      end: 19,
    });
    expect(decideRange({ range, ifRange: `W/${ETAG}` }, FILE)).toEqual({ status: 200 });
    expect(decideRange({ range, ifRange: '"changed"' }, FILE)).toEqual({ status: 200 });
    expect(decideRange({ range, ifRange: 'Mon, 01 Jan 2024 00:00:00 GMT' }, FILE)).toEqual({ status: 200 });
  });

  it('gives a new ETag when the file is replaced (another inode, mtime or size)', () => {
    expect(etagOf({ ...FILE, ino: 43 })).not.toBe(ETAG);
    expect(etagOf({ ...FILE, mtimeMs: FILE.mtimeMs + 1 })).not.toBe(ETAG);
    expect(etagOf({ ...FILE, size: 1001 })).not.toBe(ETAG);
    expect(ETAG).toMatch(/^"[0-9a-f-]+"$/);
  });
});
