// Targets 2 and 3: runs every uploader on the same files, interleaved (the measuring is in upload-bench.ts).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startDelayProxy } from '../lib/delay-proxy.ts';
import { GIB, MIB } from '../lib/stats.ts';
import type { Options } from '../options.ts';
import {
  awsBinary,
  describeSample,
  findOnPath,
  generateFile,
  UploadBench,
  type UploadSample,
  type UploadTool,
} from './upload-bench.ts';

export interface UploadResults {
  compare: UploadSample[];
  big: UploadSample[];
  rss: UploadSample[];
  grid: UploadSample[];
  compareSize: number;
  bigSize: number;
  /** Uploads through a proxy adding a fixed latency to every request. */
  latency: { delayMs: number; sample: UploadSample }[];
  latencySize: number;
  tools: { aws?: string; rclone?: string };
}

export async function runUploads(
  dir: string,
  opts: Options,
  log: (line: string) => void,
): Promise<UploadResults> {
  const bench = await UploadBench.start(dir);
  const files = new Map<number, string>();
  const file = async (bytes: number) => {
    const path = files.get(bytes) ?? join(dir, `data-${bytes}.bin`);
    files.set(bytes, path);
    await generateFile(path, bytes);
    return path;
  };
  const tools = { aws: awsBinary(), rclone: findOnPath('rclone') };
  const cli = (['aws', 'rclone'] as const).filter((t) => tools[t]);
  const out: UploadResults = {
    compare: [],
    big: [],
    rss: [],
    grid: [],
    compareSize: opts.compareSize,
    bigSize: opts.bigSize,
    latency: [],
    latencySize: opts.latencySize,
    tools,
  };
  const record = (list: UploadSample[], s: UploadSample) => {
    list.push(s);
    log(`  upload ${describeSample(s)}`);
  };
  try {
    // Interleaved, so drift (other load, disk write-back) hits every tool alike.
    const compareFile = await file(opts.compareSize);
    for (let r = 0; r < opts.uploadRuns; r++) {
      for (const tool of ['project', 'nohash', ...cli] as const)
        record(out.compare, await bench.upload(tool, compareFile, opts.compareSize));
    }
    // Peak RSS by file size: the project's uploader only.
    for (const size of [256 * MIB, ...(opts.quick ? [] : [GIB])]) {
      if (size === opts.compareSize) continue;
      record(out.rss, await bench.upload('project', await file(size), size));
    }
    if (opts.bigSize > 0) {
      const bigFile = await file(opts.bigSize);
      // Interleaved rounds here too: one run each was within noise of the tools' difference.
      for (let r = 0; r < opts.bigRuns; r++) {
        for (const tool of ['project', ...cli] as const)
          record(out.big, await bench.upload(tool, bigFile, opts.bigSize));
      }
    }
    // Per-request latency (a proxy in front of s3rver): the project's uploader, candidate part / queue sizes of
    // its pipeline (aws-cli's 8 MiB × 10 among them) and the CLIs, interleaved per latency.
    if (opts.latencySize > 0) {
      const latencyFile = await file(opts.latencySize);
      for (const delayMs of [25, 100]) {
        const proxy = await startDelayProxy(bench.endpoint, delayMs);
        try {
          const via = { endpoint: proxy.endpoint };
          const runs: [UploadTool, Parameters<UploadBench['upload']>[3]][] = [
            ['project', via],
            ['lib', { ...via, partMiB: 8, queueSize: 10, bodyHwmMiB: 1 }],
            ['lib', { ...via, partMiB: 12, queueSize: 8, bodyHwmMiB: 1 }],
            ...cli.map((t): [UploadTool, { endpoint: string }] => [t, via]),
          ];
          for (const [tool, o] of runs) {
            const sample = await bench.upload(tool, latencyFile, opts.latencySize, o);
            out.latency.push({ delayMs, sample });
            log(`  +${delayMs} ms per request: ${describeSample(sample)}`);
          }
        } finally {
          await proxy.stop();
        }
      }
    }
    // Tuning: the same pipeline as the project's with other part sizes, queue sizes and a 1 MiB body buffer.
    const grid = opts.quick
      ? [{ partMiB: 16, queueSize: 4, bodyHwmMiB: 1 }]
      : [
          { partMiB: 16, queueSize: 4, bodyHwmMiB: 1 },
          { partMiB: 12, queueSize: 4, bodyHwmMiB: 1 },
          { partMiB: 8, queueSize: 4, bodyHwmMiB: 1 },
          { partMiB: 8, queueSize: 8, bodyHwmMiB: 1 },
        ];
    for (const g of grid) record(out.grid, await bench.upload('lib', compareFile, opts.compareSize, g));
  } finally {
    await bench.stop();
    for (const path of files.values()) await rm(path, { force: true });
  }
  return out;
}
