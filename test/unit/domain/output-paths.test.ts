import { describe, expect, it } from 'vitest';
import { ISO_TYPES } from '../../../src/domain/build-request.ts';
import { manifestFileFor, OUTPUT_PATHS, outputPathFor } from '../../../src/domain/output-paths.ts';

describe('output paths', () => {
  it('puts every ISO type at bootiso/install.iso, as BIB does', () => {
    for (const type of ISO_TYPES) {
      expect(outputPathFor(type)).toBe('bootiso/install.iso');
      expect(OUTPUT_PATHS[type]).toBe('bootiso/install.iso');
    }
  });

  it('names the manifest after the type', () => {
    expect(manifestFileFor('iso')).toBe('manifest-iso.json');
    expect(manifestFileFor('anaconda-iso')).toBe('manifest-anaconda-iso.json');
    expect(manifestFileFor('bootc-installer')).toBe('manifest-bootc-installer.json');
  });
});
