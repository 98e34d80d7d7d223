import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Testbed } from './index.ts';

export interface StandInRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  outDir: string;
}

export interface StandInOptions {
  /** The builder image (default: the testbed's newer builder). */
  builder?: string;
  config?: { file: 'config.toml' | 'config.json'; content: string };
  /** Mount the host storage (default true). */
  storage?: boolean;
  /** Extra `podman run` options, before the image. */
  extra?: string[];
}

/**
 * Runs a stand-in builder with the production invocation (privileged, the host storage mounted, config and output
 * mounted) in a fresh directory under `work`; `index` keeps the directories apart.
 */
export async function runStandIn(
  tb: Testbed,
  work: string,
  index: number,
  args: string[],
  opts: StandInOptions = {},
): Promise<StandInRun> {
  const dir = join(work, `standin-${index}`);
  const outDir = join(dir, 'output');
  await mkdir(outDir, { recursive: true });
  const mounts: string[] = [];
  if (opts.config) {
    const cfg = join(dir, opts.config.file);
    await writeFile(cfg, opts.config.content);
    mounts.push('-v', `${cfg}:/${opts.config.file}:ro`);
  }
  mounts.push('-v', `${outDir}:/output`);
  if (opts.storage ?? true) mounts.push('-v', `${tb.podman.graphRoot}:/var/lib/containers/storage`);
  const result = await execa(
    'podman',
    [
      'run',
      '--rm',
      '--privileged',
      '--pull=never',
      '--security-opt',
      'label=type:unconfined_t',
      ...mounts,
      ...(opts.extra ?? []),
      opts.builder ?? tb.builderRef,
      ...args,
    ],
    { env: tb.podman.env, stdin: 'ignore', reject: false, timeout: 120_000 },
  );
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, outDir };
}

/** Reads one file out of an ISO with xorriso (no mount needed); `scratch` is a path it may write. */
export async function readIsoFile(iso: string, path: string, scratch: string): Promise<string> {
  await execa('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', path, scratch]);
  return readFile(scratch, 'utf8');
}
