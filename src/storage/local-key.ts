/**
 * Keys of the local artifact store are relative paths under its root. Only plain names are allowed, so a key can
 * never reach outside the root (`..`, absolute paths, NUL, backslashes) and never names a hidden file: uploads
 * write to `.<name>.<random>.part` next to the final file, and no key can point at such a temp file.
 */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}$/;
export const MAX_KEY_LENGTH = 1024;

/** What is wrong with `key` as a local store key, or undefined when it is fine. */
export function localKeyProblem(key: string): string | undefined {
  if (key === '') return 'is empty';
  if (key.includes('\0')) return 'contains a NUL byte';
  if (key.length > MAX_KEY_LENGTH) return `is longer than ${MAX_KEY_LENGTH} characters`;
  if (key.startsWith('/')) return 'is an absolute path';
  if (key.includes('\\')) return 'contains a backslash';
  const segments = key.split('/');
  if (segments.some((s) => s === '..')) return 'contains ".." (path traversal)';
  for (const segment of segments) {
    if (segment === '') return 'has an empty path segment';
    if (!SEGMENT.test(segment)) {
      return `has the segment "${segment.slice(0, 40)}"; use letters, digits, ".", "_" and "-", not starting with "."`;
    }
  }
  return undefined;
}

/** A safe download file name for Content-Disposition: no quotes, slashes or control characters. */
const FILENAME = /^[A-Za-z0-9_-][A-Za-z0-9._+-]{0,199}$/;

export function isSafeFilename(name: string): boolean {
  return FILENAME.test(name);
}
