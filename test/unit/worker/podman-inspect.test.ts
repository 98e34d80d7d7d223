import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.ts';
import { parseImageInspect } from '../../../workers/podman-inspect.ts';

const DIGEST = `sha256:${'e'.repeat(64)}`;

describe('podman image inspect output', () => {
  it('reads digest, architecture and labels of a bootc image', () => {
    const stdout = JSON.stringify([
      {
        Id: 'f'.repeat(64),
        Digest: DIGEST,
        Architecture: 'amd64',
        Labels: { 'containers.bootc': '1', 'ostree.bootable': '1' },
        Config: { Labels: { 'containers.bootc': '1' } },
      },
    ]);
    expect(parseImageInspect(stdout, 'r')).toEqual({
      digest: DIGEST,
      architecture: 'amd64',
      labels: { 'containers.bootc': '1', 'ostree.bootable': '1' },
    });
  });

  it('reads an image without labels (podman says null) as having none', () => {
    const stdout = JSON.stringify([
      { Digest: DIGEST, Architecture: 'arm64', Labels: null, Config: { Labels: null } },
    ]);
    expect(parseImageInspect(stdout, 'r').labels).toEqual({});
  });

  it('says the image is missing when podman answers an empty list', () => {
    expect(() => parseImageInspect('[]', 'registry.example.com/x:1')).toThrow(AppError);
  });
});
