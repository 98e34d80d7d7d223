import { Queue } from 'bullmq';
import { expect } from 'vitest';
import { hostArch } from '../../src/domain/host-arch.ts';
import { buildQueueName, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { artifactKeys } from '../../src/storage/artifact-store.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import type { Testbed } from '../testbed/index.ts';

/** The build's queue, to read a job as the bot and CLI do. */
export function buildQueue(tb: Testbed): Queue {
  return new Queue(buildQueueName(hostArch()), {
    connection: { url: tb.redis.url, maxRetriesPerRequest: null },
    prefix: QUEUE_PREFIX,
  });
}

interface ManifestLike {
  worker: { host: string };
  artifacts: { key: string; role: string; sha256: string }[];
}

/**
 * Everything a build published is the finisher's alone: job state and result, its last progress, the manifest,
 * and the objects (one attempt directory of images, named in the manifest). Returns what it read, for the figures.
 */
export async function expectOnlyFinisher(tb: Testbed, queue: Queue, buildId: string, finisher: string) {
  const job = await queue.getJob(buildId);
  expect(await job?.getState()).toBe('completed');
  expect(job?.returnvalue?.workerHost).toBe(finisher);
  expect(job?.progress).toMatchObject({ step: 'done', host: finisher });
  const store = createS3Store({ ...tb.s3, forcePathStyle: true });
  const keys = artifactKeys(buildId);
  const manifest = JSON.parse(await store.getObjectText(keys.manifest)) as ManifestLike;
  expect(manifest.worker.host).toBe(finisher);
  const listed: string[] = [];
  for await (const key of store.listKeys(`${keys.prefix}/`)) listed.push(key);
  const attemptDirs = new Set(
    listed.filter((k) => k.includes('/attempts/')).map((k) => k.split('/attempts/')[1]?.split('/')[0]),
  );
  // One attempt uploaded images: the finisher's, and the manifest names exactly those.
  expect(attemptDirs.size).toBe(1);
  const images = manifest.artifacts.filter((a) => a.role === 'image');
  expect(images.length).toBeGreaterThan(0);
  for (const image of images) {
    expect(image.key).toContain(`/attempts/${[...attemptDirs][0]}/`);
    expect(listed).toContain(image.key);
  }
  return { job, manifest, listed };
}
