import { describe, expect, it } from 'vitest';
import {
  ago,
  artifactLines,
  clean,
  formatJobDetails,
  formatJobsTable,
  formatWorkers,
  shortDuration,
} from '../../../src/cli/format-ops.ts';
import { type JobLike, requesterLabel, toJobView } from '../../../src/cli/job-view.ts';
import type { BuildResult } from '../../../src/queue/build-job.ts';
import type { WorkerInfo } from '../../../src/queue/worker-registry.ts';

const NOW = new Date('2026-01-31T12:00:00Z');
const T = (iso: string) => Date.parse(iso);

const data = {
  source: 'quay.io/centos-bootc/centos-bootc:stream9',
  preset: 'centos-stream9',
  builder: { name: 'centos', image: 'quay.io/centos-bootc/bootc-image-builder:latest' },
  type: 'iso',
  arch: 'x86_64',
  customizations: { users: [], fips: false },
  requester: { kind: 'cli', user: 'alice' },
  requestedAt: '2026-01-31T11:00:00Z',
};

const result: BuildResult = {
  buildId: 'b7k2m9qxz',
  iso: {
    key: 'builds/b7k2m9qxz/install.iso',
    size: 3 * 1024 ** 3,
    sha256: 'ab'.repeat(32),
    filename: 'x.iso',
  },
  logKey: 'builds/b7k2m9qxz/build.log',
  manifestKey: 'builds/b7k2m9qxz/manifest.json',
  link: { url: 'https://s3.example.com/isos/x?sig=1', expiresAt: '2026-02-07T11:30:00Z' },
  sourceImage: data.source,
  sourceDigest: `sha256:${'c'.repeat(64)}`,
  builderImage: data.builder.image,
  builderDigest: `sha256:${'d'.repeat(64)}`,
  workerHost: 'build-1',
  timings: {},
  finishedAt: '2026-01-31T11:30:00Z',
};

function job(overrides: Partial<JobLike> = {}): JobLike {
  return {
    id: 'b7k2m9qxz',
    data,
    timestamp: T('2026-01-31T11:00:01Z'),
    processedOn: T('2026-01-31T11:01:00Z'),
    finishedOn: T('2026-01-31T11:30:00Z'),
    attemptsMade: 1,
    opts: { attempts: 3 },
    progress: { step: 'done', message: 'build complete', percent: 100, host: 'build-1' },
    returnvalue: result,
    failedReason: '',
    ...overrides,
  } as JobLike;
}

describe('the job view', () => {
  it('reads a completed build with its result', () => {
    const view = toJobView(job(), 'completed', 'x86_64');
    expect(view).toMatchObject({
      buildId: 'b7k2m9qxz',
      state: 'completed',
      arch: 'x86_64',
      source: data.source,
      preset: 'centos-stream9',
      builder: 'centos',
      requester: 'cli:alice',
      queuedAt: '2026-01-31T11:00:01.000Z',
      startedAt: '2026-01-31T11:01:00.000Z',
      finishedAt: '2026-01-31T11:30:00.000Z',
      attempts: 3,
      result,
    });
    expect(view.error).toBeUndefined();
  });

  it('takes a failed build’s error from its progress, or from failedReason', () => {
    const error = {
      code: 'BUILDER_FAILED' as const,
      message: 'exited with code 1',
      logTail: ['osbuild failed'],
    };
    const progress = { step: 'failed', message: 'x', error };
    expect(toJobView(job({ progress, returnvalue: null }), 'failed', 'x86_64').error).toEqual(error);
    const bare = toJobView(
      job({ progress: 0, failedReason: 'stalled', returnvalue: null }),
      'failed',
      'x86_64',
    );
    expect(bare.error).toEqual({ code: 'INTERNAL', message: 'stalled', logTail: [] });
  });

  it('does not trust job data that bypassed the producer', () => {
    const view = toJobView(
      job({ data: { source: 42, builder: 'x', requester: null } }),
      'waiting',
      'aarch64',
    );
    expect(view).toMatchObject({ source: '', builder: '', requester: 'unknown' });
    expect(view.finishedAt).toBeUndefined();
  });

  it('labels requesters', () => {
    expect(requesterLabel({ kind: 'slack', userId: 'U1', channelId: 'C1' })).toBe('slack:U1 in C1');
    expect(requesterLabel({ kind: 'web' })).toBe('web');
  });
});

describe('operator text output', () => {
  it('formats durations and ages compactly', () => {
    expect(shortDuration(5_000)).toBe('5s');
    expect(shortDuration(65_000)).toBe('1m05s');
    expect(shortDuration(3_725_000)).toBe('1h02m');
    expect(shortDuration(3 * 86_400_000)).toBe('3d');
    expect(ago('2026-01-31T11:59:00Z', NOW)).toBe('1m00s ago');
    expect(ago(undefined, NOW)).toBe('-');
  });

  it('replaces control and bidi characters so job data cannot drive the terminal', () => {
    expect(clean('a\u001b[31mred\u202e\nb')).toBe('a?[31mred??b');
    expect(clean('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('lists builds as an aligned table with a detail column', () => {
    const running = toJobView(
      job({ id: 'b0000000a', progress: { step: 'build', message: 'stage', percent: 40, host: 'h1' } }),
      'active',
      'x86_64',
    );
    const text = formatJobsTable([toJobView(job(), 'completed', 'x86_64'), running], NOW);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^BUILD\s+STATE\s+ARCH\s+SOURCE\s+REQUESTER\s+QUEUED\s+DETAIL$/);
    expect(lines[1]).toMatch(
      /^b7k2m9qxz\s+completed\s+x86_64\s+quay.io\S+\s+cli:alice\s+59m59s ago\s+3072.0 MiB ISO$/,
    );
    expect(lines[2]).toContain('build 40% on h1');
    expect(lines[1]?.indexOf('x86_64')).toBe(lines[2]?.indexOf('x86_64'));
    expect(formatJobsTable([], NOW)).toBe('no builds match');
  });

  it('shows one completed build with its link, sha256 and log hint', () => {
    const text = formatJobDetails(toJobView(job(), 'completed', 'x86_64'), NOW);
    expect(text).toContain('build b7k2m9qxz: completed (x86_64)');
    expect(text).toContain('(preset centos-stream9)');
    expect(text).toContain('took 29m00s');
    expect(text).toMatch(/download: +https:\/\/s3.example.com/);
    expect(text).toMatch(/sha256: +(ab){32}/);
    expect(text).toContain('bootc-iso job b7k2m9qxz --logs');
    expect(text).not.toContain('reused');
    const reused = formatJobDetails(
      toJobView(job({ returnvalue: { ...result, reusedFrom: 'bearlier01' } }), 'completed', 'x86_64'),
      NOW,
    );
    expect(reused).toMatch(/reused: +ISO of identical build bearlier01 \(no builder ran\)/);
  });

  it('shows a failed build with its error and the builder’s last lines', () => {
    const error = { code: 'BUILDER_FAILED' as const, message: 'exited 1', logTail: ['line 1', 'line 2'] };
    const text = formatJobDetails(
      toJobView(
        job({ progress: { step: 'failed', message: '', error }, returnvalue: null }),
        'failed',
        'x86_64',
      ),
      NOW,
    );
    expect(text).toMatch(/error: +BUILDER_FAILED: exited 1/);
    expect(text).toContain('last builder output:\n    line 1\n    line 2');
    expect(text).toContain('bootc-iso retry b7k2m9qxz');
  });

  it('lists workers with their slots, disk, podman and builder images', () => {
    const worker: WorkerInfo = {
      name: 'build-1',
      host: 'build-1.example.com',
      arch: 'aarch64',
      concurrency: 2,
      running: ['b7k2m9qxz'],
      disk: { workDirFreeGiB: 120.5, containerStorageFreeGiB: null },
      podmanVersion: '4.9.4',
      builderImages: ['quay.io/centos-bootc/bootc-image-builder:latest'],
      startedAt: '2026-01-31T10:00:00Z',
      updatedAt: '2026-01-31T11:59:55Z',
      version: '0.1.0',
      capabilities: ['rhel-entitlement'],
      warmImages: [{ ref: 'quay.io/centos-bootc/centos-bootc:stream9', digest: 'sha256:abc' }],
      localImages: [],
    };
    const text = formatWorkers([worker], NOW);
    expect(text).toMatch(/^WORKER\s+ARCH\s+BUILDS/);
    expect(text).toMatch(
      /build-1\s+aarch64\s+1\/2\s+120.5 \/ \?\s+4.9.4\s+0.1.0\s+rhel-entitlement\s+2h00m\s+5s ago/,
    );
    expect(text).toContain('build-1 on build-1.example.com:');
    expect(text).toContain('running:  b7k2m9qxz');
    expect(text).toContain('builders: quay.io/centos-bootc/bootc-image-builder:latest');
    expect(text).toContain('warm:     quay.io/centos-bootc/centos-bootc:stream9');
    expect(formatWorkers([{ ...worker, warmImages: [] }], NOW)).toContain('warm:     -');
    expect(formatWorkers([], NOW)).toMatch(/^no live build workers/);
  });
});

describe('artifact lines', () => {
  it('list every image of a build of several, with its link, and nothing for a build of one', () => {
    const image = (type: 'qcow2' | 'raw', url?: string) => ({
      role: 'image' as const,
      type,
      key: `builds/b1/${type}/disk`,
      filename: `b1-disk.${type}`,
      size: 10,
      sha256: 'ab'.repeat(32),
      ...(url ? { url } : {}),
    });
    expect(artifactLines({ artifacts: [image('qcow2')] })).toEqual([]);
    expect(artifactLines({ artifacts: [image('qcow2', 'http://x/q'), image('raw')] })).toEqual([
      'artifacts:',
      `  qcow2: b1-disk.qcow2, 10 bytes, sha256 ${'ab'.repeat(32)}`,
      '    http://x/q',
      `  raw: b1-disk.raw, 10 bytes, sha256 ${'ab'.repeat(32)}`,
    ]);
  });

  it('list the checking files after the images, with links and the key that signed them', () => {
    const file = (role: 'checksums' | 'checksums-signature', filename: string, keyId?: string) => ({
      role,
      type: role,
      key: `builds/b1/${filename}`,
      filename,
      size: 5,
      sha256: 'cd'.repeat(32),
      url: `http://x/${filename}`,
      ...(keyId ? { keyId } : {}),
    });
    expect(
      artifactLines({
        artifacts: [file('checksums', 'SHA256SUMS'), file('checksums-signature', 'SHA256SUMS.sig', 'k1')],
      }),
    ).toEqual([
      'checking files:',
      `  checksums: SHA256SUMS, 5 bytes, sha256 ${'cd'.repeat(32)}`,
      '    http://x/SHA256SUMS',
      `  checksums-signature: SHA256SUMS.sig, 5 bytes, sha256 ${'cd'.repeat(32)}, key k1`,
      '    http://x/SHA256SUMS.sig',
    ]);
    const shown = formatJobDetails(
      toJobView(
        job({ returnvalue: { ...result, artifacts: [file('checksums', 'SHA256SUMS')] } }),
        'completed',
        'x86_64',
      ),
      NOW,
    );
    expect(shown).toContain(
      `    checksums: SHA256SUMS, 5 bytes, sha256 ${'cd'.repeat(32)}\n      http://x/SHA256SUMS`,
    );
  });
});
