import { describe, expect, it } from 'vitest';
import { isBuildId, newBuildId, normaliseBuildId } from '../../../src/domain/build-id.ts';

describe('newBuildId', () => {
  it('makes a 9-character id: "b" and 8 base32 characters without i, l, o or u', () => {
    for (let i = 0; i < 1000; i++) {
      const id = newBuildId();
      expect(id).toMatch(/^b[0-9a-hjkmnp-tv-z]{8}$/);
      expect(isBuildId(id)).toBe(true);
    }
  });

  it('is never all digits and never contains ":", so BullMQ accepts it as a job id', () => {
    const id = newBuildId(() => new Uint8Array(8));
    expect(id).toBe('b00000000');
    expect(id).not.toMatch(/^\d+$/);
    expect(id).not.toContain(':');
  });

  it('uses the injected randomness so tests can predict ids', () => {
    expect(newBuildId(() => Uint8Array.from([0, 1, 2, 3, 28, 29, 30, 31]))).toBe('b0123wxyz');
    expect(newBuildId(() => Uint8Array.from([32, 33, 255, 224, 0, 0, 0, 0]))).toBe('b01z00000');
  });

  it('rarely repeats: 10,000 ids are all different', () => {
    expect(new Set(Array.from({ length: 10_000 }, () => newBuildId())).size).toBe(10_000);
  });

  it('throws when the random source gives too few bytes', () => {
    expect(() => newBuildId(() => new Uint8Array(3))).toThrow('8 random bytes');
  });
});

describe('isBuildId and normaliseBuildId', () => {
  it('rejects other strings', () => {
    for (const s of [
      '',
      '12345678',
      'b1234567',
      'b123456789',
      'B12345678',
      'b1234567i',
      'b1234:678',
      ' b12345678',
    ]) {
      expect(isBuildId(s)).toBe(false);
    }
  });

  it('reads ids as people type them: case, spaces and confusable letters', () => {
    expect(normaliseBuildId(' B7K3M9X2Q ')).toBe('b7k3m9x2q');
    expect(normaliseBuildId('b7k3m9xlo')).toBe('b7k3m9x10');
    expect(normaliseBuildId('nope')).toBeUndefined();
  });
});
