import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDownloadBench } from '../../bench/downloads/download-bench.ts';

// The bench's downloads section in its smoke size: it must keep working although CI never runs the bench, and
// every server must hand curl the whole file (and the local route exactly the requested half).

let dir: string | undefined;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bench: local downloads against a plain static server', () => {
  it('downloads the file whole and by range from each server and reports MiB/s', async () => {
    dir = await mkdtemp(join(tmpdir(), 'download-bench-'));
    const size = 8 * 1024 * 1024 + 3;
    const result = await runDownloadBench({ dir, size, rounds: 1 });
    expect(result.size).toBe(size);
    const route = result.samples.filter((s) => s.server === 'local-downloads');
    expect(route.map((s) => [s.kind, s.bytes])).toEqual([
      ['full', size],
      ['half', size - Math.floor(size / 2)],
    ]);
    expect(result.medians['local-downloads full']).toBeGreaterThan(0);
    expect(result.medians['node http + createReadStream full']).toBeGreaterThan(0);
  });
});
