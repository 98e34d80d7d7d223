import { describe, expect, it } from 'vitest';
import type { BuildProgress } from '../../../src/queue/build-job.ts';
import type { BuildQueues } from '../../../src/queue/build-producer.ts';
import { readBuildStatus, withFreshLinks } from '../../../src/slack/notify/read-build-status.ts';
import { request, result } from './slack-fixtures.ts';

/** Just the queue reads readBuildStatus makes, over one job in a given state. */
function queuesWith(state: string, progress: BuildProgress): BuildQueues {
  const job = { data: request(), progress, attemptsMade: 0 };
  const queue = {
    getJobState: async () => state,
    getJob: async () => job,
    toKey: (type: string) => `{bootc-iso}:builds-x86_64:${type}`,
    getActiveCount: async () => 1,
  };
  return {
    get: () => queue,
    ofArch: () => [queue],
    connection: { lpos: async () => null, llen: async () => 0 },
  } as unknown as BuildQueues;
}

describe('readBuildStatus', () => {
  it('shows a build that waits for an identical one as waiting, also in the instant a worker looks again', async () => {
    const waiting: BuildProgress = {
      step: 'preflight',
      message: 'an identical build (bholder01) is running; this build will get its ISO',
      waitingFor: 'bholder01',
      host: 'h1',
    };
    const looking = await readBuildStatus(queuesWith('active', waiting), 'x86_64', 'bwaiter01', undefined);
    const delayed = await readBuildStatus(queuesWith('delayed', waiting), 'x86_64', 'bwaiter01', undefined);
    expect(looking?.state).toBe('queued');
    expect(delayed?.state).toBe('queued');
    const building = await readBuildStatus(
      queuesWith('active', { step: 'build', message: 'building', host: 'h1' }),
      'x86_64',
      'bwaiter01',
      undefined,
    );
    expect(building?.state).toBe('running');
  });

  it('shows a build that failed on its own as failed, even when someone clicked Cancel just after', async () => {
    const failure: BuildProgress = {
      step: 'failed',
      message: 'bootc-image-builder exited with code 1',
      error: { code: 'BUILDER_FAILED', message: 'bootc-image-builder exited with code 1', logTail: ['boom'] },
      host: 'h1',
    };
    const record = { channel: 'C1', ts: '1.1', requester: 'U1', lastUpdateAt: 0, lastRender: '', notes: [] };
    const late = await readBuildStatus(queuesWith('failed', failure), 'x86_64', 'bfail01', {
      ...record,
      cancelledBy: 'U1',
    });
    expect(late?.state).toBe('failed');
    const stopped: BuildProgress = {
      ...failure,
      error: { code: 'CANCELLED', message: 'cancelled by slack:U1', logTail: [] },
    };
    const cancelled = await readBuildStatus(queuesWith('failed', stopped), 'x86_64', 'bfail01', {
      ...record,
      cancelledBy: 'U1',
    });
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelledBy: 'U1' });
  });

  it('gives every artifact its fresh link by key, and drops the old link of one that was not signed again', () => {
    const artifact = (type: 'qcow2' | 'raw' | 'checksums', key: string) => ({
      role: type === 'checksums' ? ('checksums' as const) : ('image' as const),
      type,
      key,
      filename: `f-${type}`,
      size: 1,
      sha256: 'cd'.repeat(32),
      url: `https://old.example/${key}`,
    });
    const built = result({
      artifacts: [
        artifact('qcow2', 'builds/b1/attempts/t1/qcow2/disk.qcow2'),
        artifact('raw', 'builds/b0/attempts/t0/raw/disk.raw'),
        artifact('checksums', 'builds/b1/SHA256SUMS'),
      ],
    });
    const fresh = withFreshLinks(built, {
      url: 'https://new.example/q',
      expiresAt: '2030-01-01T00:00:00.000Z',
      urls: {
        'builds/b1/attempts/t1/qcow2/disk.qcow2': 'https://new.example/q',
        'builds/b1/SHA256SUMS': 'https://new.example/s',
      },
    });
    expect(fresh.link).toEqual({ url: 'https://new.example/q', expiresAt: '2030-01-01T00:00:00.000Z' });
    expect(fresh.artifacts?.map((a) => a.url)).toEqual([
      'https://new.example/q',
      undefined,
      'https://new.example/s',
    ]);
    // The job's own result is left as it was.
    expect(built.artifacts?.[1]?.url).toBe('https://old.example/builds/b0/attempts/t0/raw/disk.raw');
  });
});
