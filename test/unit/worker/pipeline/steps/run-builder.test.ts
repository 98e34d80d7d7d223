import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../src/domain/errors.ts';
import { BuildLog } from '../../../../../workers/pipeline/build-log.ts';
import {
  type RunBuilderContext,
  runBuilder,
  TAIL_LINE_CHARS,
} from '../../../../../workers/pipeline/steps/run-builder.ts';
import { createPodman, type Podman } from '../../../../../workers/podman.ts';
import { DIGEST_A, DIGEST_B, request, silent, tempDir } from '../support.ts';

type Builder = Podman['runContainer'];

async function context(
  runContainer: Builder,
  tagDigest = DIGEST_A,
): Promise<RunBuilderContext & { calls: string[][] }> {
  const dir = await tempDir();
  const outputDir = join(dir, 'output');
  await mkdir(outputDir);
  const calls: string[][] = [];
  return {
    calls,
    buildId: 'brun00001',
    request: request(),
    podman: {
      ...createPodman('/nonexistent/podman', silent),
      removeContainer: async () => undefined,
      imageDigest: async () => tagDigest,
      runContainer: async (args, o) => {
        calls.push(args);
        return runContainer(args, o);
      },
    },
    logger: silent,
    signal: new AbortController().signal,
    progress: () => undefined,
    settings: {
      workerName: 'host-a',
      worker: { containerStorage: '/var/lib/containers/storage', timeouts: { buildSeconds: 60 } },
    },
    state: {
      paths: {
        root: dir,
        authFile: join(dir, 'auth.json'),
        configToml: join(dir, 'config.toml'),
        outputDir,
        buildLog: join(dir, 'build.log'),
      },
      log: new BuildLog(join(dir, 'build.log')),
      pulled: { sourceDigest: DIGEST_A, builderDigest: DIGEST_B },
    },
  };
}

const writesIso: Builder = async (args, o) => {
  const output = args.find((a) => a.endsWith(':/output'))?.replace(/:\/output$/, '') ?? '';
  await mkdir(join(output, 'bootiso'), { recursive: true });
  await writeFile(join(output, 'bootiso', 'install.iso'), 'ISO');
  o.onLine('Build complete!');
  return { exitCode: 0, timedOut: false };
};

describe('run-builder step', () => {
  it('runs the builder with the tag it pulled and records where the image went; the command and output are logged', async () => {
    const ctx = await context(writesIso);
    await runBuilder.run(ctx, { defer: () => undefined });
    expect(ctx.calls[0]).toContain(ctx.request.source);
    expect(ctx.calls[0]).toContain('--pull=never');
    expect(ctx.state.outputs).toEqual([
      { type: 'iso', path: join(ctx.state.paths?.outputDir ?? '', 'bootiso/install.iso') },
    ]);
    await ctx.state.log?.close();
    const log = await readFile(ctx.state.paths?.buildLog ?? '', 'utf8');
    expect(log).toMatch(/^\$ podman run .*--pull=never/m);
    expect(log).toContain('Build complete!');
  });

  it('refuses to start when the tag no longer names the digest that was pulled (the builder never starts)', async () => {
    const ctx = await context(writesIso, DIGEST_B);
    const error = await runBuilder.run(ctx, { defer: () => undefined }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('SOURCE_CHANGED');
    expect(ctx.calls).toEqual([]);
  });

  it('fails with the last lines of output, each cut to a length fit for a message', async () => {
    const long = 'x'.repeat(TAIL_LINE_CHARS * 4);
    const ctx = await context(async (_args, o) => {
      o.onLine(long);
      o.onLine('error: the disk exploded');
      return { exitCode: 1, timedOut: false };
    });
    const error = await runBuilder.run(ctx, { defer: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('BUILDER_FAILED');
    expect((error as AppError).message).toContain('error: the disk exploded');
    expect((error as AppError).logTail[0]?.length).toBe(TAIL_LINE_CHARS + 1);
    await ctx.state.log?.close();
    // The build log keeps the whole line.
    expect(await readFile(ctx.state.paths?.buildLog ?? '', 'utf8')).toContain(long);
  });

  it('fails when the builder says it finished but wrote nothing', async () => {
    const ctx = await context(async () => ({ exitCode: 0, timedOut: false }));
    const error = await runBuilder.run(ctx, { defer: () => undefined }).catch((e: unknown) => e);
    expect((error as AppError).message).toContain('wrote no bootiso/install.iso');
  });

  it('is skipped when an identical build answered, and its time is recorded as "build"', async () => {
    const ctx = await context(writesIso);
    expect(runBuilder.skip?.(ctx, undefined)).toBeUndefined();
    ctx.state.reused = {
      buildId: 'bold00001',
      manifestKey: 'm',
      iso: { key: 'k', size: 1, sha256: 's', filename: 'f' },
      logKey: 'l',
      finishedAt: 't',
    };
    expect(runBuilder.skip?.(ctx, undefined)).toBe('answered by an identical build');
    expect(runBuilder.timing).toBe('build');
  });
});
