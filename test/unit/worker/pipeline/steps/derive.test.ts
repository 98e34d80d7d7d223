import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../src/domain/errors.ts';
import {
  type DeriveContext,
  derive,
  deriveArgs,
  derivedTag,
} from '../../../../../workers/pipeline/steps/derive.ts';
import { createPodman } from '../../../../../workers/podman.ts';
import { DIGEST_A, DIGEST_B, DIGEST_C, request, silent, tempDir } from '../support.ts';

const CONTAINERFILE = 'FROM registry.example.com/org/os:1\nRUN echo hi > /etc/hi\n';

async function context(
  opts: { labels?: Record<string, string>; exitCode?: number; sourceNow?: string } = {},
) {
  const root = await tempDir();
  const calls: string[][] = [];
  const removed: string[] = [];
  const ctx: DeriveContext = {
    buildId: 'b1x',
    podman: {
      ...createPodman('/nonexistent/podman', silent),
      buildImage: async (args, o) => {
        calls.push(args);
        o.onLine('STEP 2/2: RUN echo hi > /etc/hi');
        return { exitCode: opts.exitCode ?? 0 };
      },
      imageDigest: async () => opts.sourceNow ?? DIGEST_A,
      inspectImage: async () => ({
        digest: DIGEST_C,
        architecture: 'amd64',
        labels: opts.labels ?? { 'containers.bootc': '1' },
      }),
      removeImage: async (ref) => {
        removed.push(ref);
        return true;
      },
    },
    logger: silent,
    signal: new AbortController().signal,
    progress: () => undefined,
    request: request({ containerfile: CONTAINERFILE }),
    settings: { workerName: 'host-1', worker: { derive: { network: 'none', timeoutSeconds: 60 } } },
    state: {
      paths: {
        root,
        authFile: join(root, 'auth.json'),
        configToml: join(root, 'config.toml'),
        outputDir: join(root, 'output'),
        buildLog: join(root, 'build.log'),
      },
      pulled: { sourceDigest: DIGEST_A, builderDigest: DIGEST_B },
    },
  };
  const deferred: (() => Promise<void> | void)[] = [];
  return {
    ctx,
    calls,
    removed,
    root,
    scope: { defer: (_: string, fn: () => Promise<void> | void) => void deferred.push(fn) },
    deferred,
  };
}

describe('derive step', () => {
  it('is planned only for a request with a Containerfile', async () => {
    const { ctx } = await context();
    expect(derive.planned?.(ctx)).toBe(true);
    expect(derive.planned?.({ ...ctx, request: request() })).toBe(false);
  });

  it('builds the Containerfile alone in its context, tags the result and hands it on, removed at clean-up', async () => {
    const { ctx, calls, removed, root, scope, deferred } = await context();
    await derive.run(ctx, scope);
    const dir = join(root, 'derive');
    expect(await readFile(join(dir, 'Containerfile'), 'utf8')).toBe(CONTAINERFILE);
    expect(calls).toEqual([deriveArgs(ctx, dir)]);
    expect(calls[0]).toEqual([
      '--file',
      join(dir, 'Containerfile'),
      '--tag',
      'localhost/bootc-iso-derived:b1x',
      '--pull=never',
      '--timestamp',
      '0',
      '--network',
      'none',
      dir,
    ]);
    expect(ctx.state.derived).toEqual({ ref: derivedTag('b1x'), digest: DIGEST_C });
    for (const fn of deferred.reverse()) await fn();
    expect(removed).toEqual(['localhost/bootc-iso-derived:b1x']);
  });

  it('fails for good when podman build fails or the result is no longer a bootc image', async () => {
    const failed = await context({ exitCode: 1 });
    const e1 = await derive.run(failed.ctx, failed.scope).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(AppError);
    expect((e1 as AppError).message).toContain('podman build of the Containerfile failed');
    expect(failed.deferred).toHaveLength(1);
    const unlabelled = await context({ labels: {} });
    const e2 = await derive.run(unlabelled.ctx, unlabelled.scope).catch((e: unknown) => e);
    expect((e2 as AppError).code).toBe('NOT_BOOTC_IMAGE');
  });

  it('retries when the source tag moved during the build', async () => {
    const moved = await context({ sourceNow: DIGEST_B });
    const error = await derive.run(moved.ctx, moved.scope).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('SOURCE_CHANGED');
  });
});
