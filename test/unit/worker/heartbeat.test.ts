import type { Job, Processor } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  builderImagesOf,
  localImagesOf,
  MAX_LOCAL_IMAGES,
  repositoryOf,
  trackRunningBuilds,
} from '../../../workers/heartbeat.ts';
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

  it('lists every local image by name and digest, newest first, and never more than the bound', () => {
    const image = (id: string, createdMs: number, names: string[], digests: string[] = []) => ({
      id,
      names,
      digests,
      containers: 0,
      createdMs,
    });
    expect(
      localImagesOf([
        image('old', 1, ['quay.io/os/old:1']),
        image('new', 2, ['quay.io/os/new:1'], [`quay.io/os/new@sha256:${'b'.repeat(64)}`]),
      ]),
    ).toEqual(['quay.io/os/new:1', `quay.io/os/new@sha256:${'b'.repeat(64)}`, 'quay.io/os/old:1']);
    const many = Array.from({ length: MAX_LOCAL_IMAGES + 10 }, (_, i) => image(`${i}`, i, [`q.io/x/${i}:1`]));
    const listed = localImagesOf(many);
    expect(listed).toHaveLength(MAX_LOCAL_IMAGES);
    expect(listed[0]).toBe(`q.io/x/${MAX_LOCAL_IMAGES + 9}:1`);
  });

  it('tells the caller when a build starts and when it ends', async () => {
    const seen: string[][] = [];
    let running: () => string[] = () => [];
    const tracked = trackRunningBuilds<Processor>(
      async () => {
        seen.push(running());
      },
      () => seen.push(running()),
    );
    running = tracked.running;
    await tracked.processor({ id: 'b1' } as Job);
    expect(seen).toEqual([['b1'], ['b1'], []]);
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
