import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A registry name that is never contacted: the benchmarks that use this config never pull. */
export const BENCH_REGISTRY = 'registry.bench.invalid';
export const BENCH_SOURCE = `${BENCH_REGISTRY}/bootc/demo-os:1`;
export const BENCH_BUILDER = `${BENCH_REGISTRY}/bootc/bib-standin:1`;

/** Writes a bootc-iso.yaml with one preset ("demo") and one builder, for the bot and the stub workers. */
export async function writeBenchConfig(
  dir: string,
  extraWorker: string[] = [],
  extraTop: string[] = [],
): Promise<string> {
  const path = join(dir, 'bootc-iso.yaml');
  await writeFile(
    path,
    [
      'builders:',
      `  standin: { image: "${BENCH_BUILDER}" }`,
      'defaultBuilder: standin',
      'presets:',
      `  demo: { image: "${BENCH_SOURCE}", builder: standin, description: "demo OS" }`,
      `allowedRegistries: ["${BENCH_REGISTRY}"]`,
      'worker:',
      '  concurrency: 1',
      `  workDir: "${join(dir, 'work')}"`,
      '  minFreeDiskGiB: 0',
      '  attempts: 2',
      '  backoffSeconds: 1',
      ...extraWorker,
      ...extraTop,
      '',
    ].join('\n'),
  );
  return path;
}
