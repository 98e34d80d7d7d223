import { describe, expect, it } from 'vitest';
import { builderImagesOf, repositoryOf, trackRunningBuilds } from '../../../workers/heartbeat.ts';
import { parseImageList } from '../../../workers/podman.ts';

describe('heartbeat helpers', () => {
  it('finds the repository of a reference with a port, tag or digest', () => {
    expect(repositoryOf('127.0.0.1:5000/bootc/bib:1')).toBe('127.0.0.1:5000/bootc/bib');
    expect(repositoryOf('127.0.0.1:5000/bootc/bib')).toBe('127.0.0.1:5000/bootc/bib');
    expect(repositoryOf(`quay.io/a/b@sha256:${'a'.repeat(64)}`)).toBe('quay.io/a/b');
    expect(repositoryOf(`quay.io/a/b:1@sha256:${'a'.repeat(64)}`)).toBe('quay.io/a/b');
  });

  it('reports the images of the builders’ repositories, any tag, and digest-only pulls', () => {
    const images = parseImageList(
      JSON.stringify([
        {
          Id: 'a',
          Names: ['quay.io/bib/bib:1', 'quay.io/bib/bib:2'],
          RepoDigests: [],
          Containers: 0,
          Created: 1,
        },
        {
          Id: 'a',
          Names: ['quay.io/bib/bib:1', 'quay.io/bib/bib:2'],
          RepoDigests: [],
          Containers: 0,
          Created: 1,
        },
        { Id: 'b', Names: ['quay.io/os/demo:1'] },
        { Id: 'c', RepoDigests: [`registry.redhat.io/rhel9/bib@sha256:${'f'.repeat(64)}`] },
      ]),
    );
    expect(images).toHaveLength(3);
    expect(images[0]).toEqual({
      id: 'a',
      names: ['quay.io/bib/bib:1', 'quay.io/bib/bib:2'],
      digests: [],
      containers: 0,
      createdMs: 1000,
    });
    expect(builderImagesOf(images, ['quay.io/bib/bib:2', 'registry.redhat.io/rhel9/bib:9.7'])).toEqual([
      'quay.io/bib/bib:1',
      'quay.io/bib/bib:2',
      `registry.redhat.io/rhel9/bib@sha256:${'f'.repeat(64)}`,
    ]);
  });

  it('reads an empty image list', () => {
    expect(parseImageList('')).toEqual([]);
    expect(parseImageList('[]\n')).toEqual([]);
  });

  it('tracks the builds a processor is running, also when one fails', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { processor, running, ended } = trackRunningBuilds(async (job) => {
      if (job.id === 'bad') throw new Error('boom');
      await gate;
      return job.id;
    });
    const ok = processor({ id: 'b7k2m9qxz' } as never);
    await expect(processor({ id: 'bad' } as never)).rejects.toThrow('boom');
    expect(running()).toEqual(['b7k2m9qxz']);
    release();
    await ok;
    expect(running()).toEqual([]);
    expect(ended()).toBe(2);
  });
});
