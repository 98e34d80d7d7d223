import { describe, expect, it } from 'vitest';
import { formatSha256Sums, parseSha256Sums, sha256Of } from '../../../src/signing/checksums.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('SHA256SUMS', () => {
  it('writes the coreutils format: hash, two spaces, name, newline', () => {
    expect(
      formatSha256Sums([
        { name: 'install.iso', sha256: A },
        { name: 'build.log', sha256: B },
      ]),
    ).toBe(`${A}  install.iso\n${B}  build.log\n`);
  });

  it('reads back what it writes, and the binary-mode marker sha256sum -b writes', () => {
    expect(parseSha256Sums(`${A}  install.iso\n${B} *build.log\n`)).toEqual([
      { name: 'install.iso', sha256: A },
      { name: 'build.log', sha256: B },
    ]);
  });

  it.each([
    ['a directory part', 'dir/install.iso'],
    ['a line break', 'x\ny'],
    ['a backslash', 'a\\b'],
    ['a leading *', '*x'],
    ['an empty name', ''],
    ['..', '..'],
  ])('refuses to write a name with %s', (_what, name) => {
    expect(() => formatSha256Sums([{ name, sha256: A }])).toThrow(/artifact name/);
  });

  it('refuses a hash that is not 64 hex digits', () => {
    expect(() => formatSha256Sums([{ name: 'x', sha256: 'abc' }])).toThrow(/not 64/);
  });

  it.each([
    ['a malformed line', `${A} install.iso\n`, /line 1/],
    ['a short hash', `abc  install.iso\n`, /line 1/],
    ['a name listed twice', `${A}  x\n${B}  x\n`, /listed twice/],
    ['a path', `${A}  ../etc/passwd\n`, /line 1 names/],
    ['nothing', '', /lists no files/],
  ])('refuses to read %s', (_what, text, message) => {
    expect(() => parseSha256Sums(text)).toThrow(message);
  });

  it('hashes like sha256sum', () => {
    expect(sha256Of('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
