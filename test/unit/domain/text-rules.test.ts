import { describe, expect, it } from 'vitest';
import {
  assertMultiLine,
  assertPrintableAscii,
  assertSingleLine,
  collect,
  findUnsafeChar,
  quoteForMessage,
} from '../../../src/domain/text-rules.ts';
import { appErrorFrom } from './fixtures.ts';

describe('assertSingleLine', () => {
  it('accepts ordinary text, including non-Latin scripts and emoji', () => {
    expect(() => assertSingleLine('console=ttyS0,115200 quiet 漢字 🚀', 'f', 100)).not.toThrow();
  });

  it('refuses a line break with a field-specific message', () => {
    const error = appErrorFrom(() =>
      assertSingleLine('a\nb', 'customizations.kernelAppend', 100, 'kernel arguments'),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.field).toBe('customizations.kernelAppend');
    expect(error.message).toContain('kernel arguments: must be a single line');
    expect(error.message).toContain('character 2');
  });

  it('refuses carriage returns and Unicode line separators as line breaks', () => {
    expect(appErrorFrom(() => assertSingleLine('a\rb', 'f', 10)).message).toContain('single line');
    expect(appErrorFrom(() => assertSingleLine('a\u2028b', 'f', 10)).message).toContain('line separator');
  });

  it('refuses NUL, tab, escape, DEL and C1 controls, naming the character', () => {
    expect(appErrorFrom(() => assertSingleLine('a\u0000', 'f', 10)).message).toContain('U+0000 (NUL)');
    expect(appErrorFrom(() => assertSingleLine('a\tb', 'f', 10)).message).toContain('U+0009 (tab)');
    expect(appErrorFrom(() => assertSingleLine('\u001b[31m', 'f', 10)).message).toContain('U+001B (escape)');
    expect(appErrorFrom(() => assertSingleLine('a\u007f', 'f', 10)).message).toContain('U+007F (DEL)');
    expect(appErrorFrom(() => assertSingleLine('a\u0085', 'f', 10)).message).toContain('U+0085');
  });

  it('refuses bidi overrides and isolates that make text display differently', () => {
    for (const cp of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      const error = appErrorFrom(() => assertSingleLine(`abc${String.fromCodePoint(cp)}def`, 'f', 20));
      expect(error.message).toContain('text-direction control');
      expect(error.message).toContain(`U+${cp.toString(16).toUpperCase()}`);
    }
  });

  it('refuses lone surrogates, which cannot be written as UTF-8', () => {
    expect(appErrorFrom(() => assertSingleLine('a\ud800b', 'f', 10)).message).toContain('lone surrogate');
  });

  it('refuses over-long values with the length and the limit', () => {
    const error = appErrorFrom(() => assertSingleLine('x'.repeat(2049), 'k', 2048, 'kernel arguments'));
    expect(error.message).toBe('kernel arguments: 2049 characters is over the 2048 limit; shorten it');
  });
});

describe('assertMultiLine', () => {
  it('accepts line feeds and tabs and normalises Windows line endings', () => {
    expect(assertMultiLine('a\r\n\tb\r\n', 'customizations.kickstart', 100, 'kickstart')).toBe('a\n\tb\n');
  });

  it('refuses a lone carriage return', () => {
    expect(appErrorFrom(() => assertMultiLine('a\rb', 'f', 100, 'kickstart')).message).toContain(
      'carriage return',
    );
  });

  it('refuses NUL and bidi controls inside text blocks', () => {
    expect(appErrorFrom(() => assertMultiLine('a\n\u0000', 'f', 100, 'kickstart')).message).toContain('NUL');
    expect(appErrorFrom(() => assertMultiLine('a\n\u2066', 'f', 100, 'kickstart')).message).toContain(
      'U+2066',
    );
  });

  it('reports a 100 KB kickstart as over the 65536 limit', () => {
    const error = appErrorFrom(() =>
      assertMultiLine('#'.repeat(123456), 'customizations.kickstart', 65536, 'kickstart'),
    );
    expect(error.message).toBe('kickstart: 123456 characters is over the 65536 limit; shorten it');
  });
});

describe('assertPrintableAscii', () => {
  it('accepts printable ASCII and refuses anything else, naming the character', () => {
    expect(() => assertPrintableAscii('My Publisher (c) 2026', 'p', 128)).not.toThrow();
    expect(
      appErrorFrom(() => assertPrintableAscii('Caf\u00e9', 'p', 128, 'ISO publisher')).message,
    ).toContain('ISO publisher: "é" (U+00E9) at character 4 is not plain ASCII');
  });
});

describe('quoteForMessage and findUnsafeChar', () => {
  it('escapes hostile characters and truncates long values for messages', () => {
    expect(quoteForMessage('a\nb\u202e')).toBe('"a\\u{a}b\\u{202e}"');
    expect(quoteForMessage('x'.repeat(100), 10)).toBe(`"${'x'.repeat(10)}…"`);
  });

  it('reports the UTF-16 index of the first unsafe character', () => {
    expect(findUnsafeChar('🚀\u0000')).toEqual({ index: 2, codePoint: 0, kind: 'control' });
    expect(findUnsafeChar('ok')).toBeUndefined();
  });
});

describe('collect', () => {
  it('hands AppErrors to the reporter and rethrows anything else', () => {
    const seen: string[] = [];
    expect(
      collect(
        (e) => seen.push(e.message),
        () => assertSingleLine('a\n', 'f', 10),
      ),
    ).toBe(false);
    expect(seen).toHaveLength(1);
    expect(() =>
      collect(
        () => undefined,
        () => {
          throw new TypeError('bug');
        },
      ),
    ).toThrow(TypeError);
  });
});
