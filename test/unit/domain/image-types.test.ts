import { describe, expect, it } from 'vitest';
import { ISO_TYPES } from '../../../src/domain/build-request.ts';
import {
  IMAGE_TYPE_NAMES,
  IMAGE_TYPES,
  isImageType,
  manifestFileFor,
  outputPathFor,
  publishedName,
} from '../../../src/domain/image-types.ts';

describe('image-type table', () => {
  it('knows every ISO type a request may ask for, all writing bootiso/install.iso', () => {
    for (const type of ISO_TYPES) {
      expect(isImageType(type)).toBe(true);
      expect(IMAGE_TYPES[type].family).toBe('iso');
      expect(outputPathFor(type)).toBe('bootiso/install.iso');
    }
  });

  it('gives each disk type the export path the builder writes', () => {
    expect(outputPathFor('qcow2')).toBe('qcow2/disk.qcow2');
    expect(outputPathFor('raw')).toBe('image/disk.raw');
    expect(outputPathFor('ami')).toBe('image/disk.raw');
    expect(outputPathFor('vmdk')).toBe('vmdk/disk.vmdk');
    expect(outputPathFor('vhd')).toBe('vpc/disk.vhd');
    expect(outputPathFor('gce')).toBe('gce/image.tar.gz');
    const disks = IMAGE_TYPE_NAMES.filter((t) => IMAGE_TYPES[t].family === 'disk');
    expect(disks.sort()).toEqual(['ami', 'gce', 'qcow2', 'raw', 'vhd', 'vmdk']);
  });

  it('publishes every type under a distinct name starting with the build id', () => {
    const names = IMAGE_TYPE_NAMES.map((t) => publishedName('b123', t));
    expect(new Set(names).size).toBe(names.length);
    expect(publishedName('b123', 'iso')).toBe('b123-install.iso');
    for (const n of names) expect(n.startsWith('b123-')).toBe(true);
  });

  it('refuses names that are not types, including inherited keys', () => {
    expect(isImageType('toString')).toBe(false);
    expect(isImageType('ova')).toBe(false);
  });

  it('names the osbuild manifest after the type', () => {
    expect(manifestFileFor('anaconda-iso')).toBe('manifest-anaconda-iso.json');
  });
});
