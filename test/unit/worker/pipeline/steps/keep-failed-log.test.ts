import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../src/domain/errors.ts';
import { BuildLog } from '../../../../../workers/pipeline/build-log.ts';
import { WaitForIdenticalBuild } from '../../../../../workers/pipeline/steps/claim-identical.ts';
import {
  type KeepFailedLogContext,
  keepFailedLog,
} from '../../../../../workers/pipeline/steps/keep-failed-log.ts';
import { localStore, scope, silent, tempDir } from '../support.ts';

async function context(): Promise<KeepFailedLogContext> {
  const dir = await tempDir();
  const buildLog = join(dir, 'build.log');
  const log = new BuildLog(buildLog);
  log.line('$ podman pull registry.example.com/org/os:1');
  log.line('Error: manifest unknown');
  return {
    buildId: 'bfail0001',
    store: await localStore(),
    logger: silent,
    state: { paths: { root: dir, authFile: '', configToml: '', outputDir: '', buildLog }, log },
  };
}

describe('keep-failed-log step', () => {
  it('runs only after a failure, and stores the log with the reason at its end', async () => {
    expect(keepFailedLog.when).toBe('failure');
    const ctx = await context();
    const failure = new AppError('IMAGE_NOT_FOUND', 'image not found: registry.example.com/org/os:1');
    await keepFailedLog.run(ctx, scope(failure));
    const stored = await ctx.store.getObjectText('builds/bfail0001/build.log');
    expect(stored).toContain('Error: manifest unknown');
    expect(stored.trimEnd().split('\n').at(-1)).toBe(
      '# build failed: image not found: registry.example.com/org/os:1',
    );
  });

  it('is skipped for a build that only waits for an identical one, and when there is no work directory', async () => {
    const ctx = await context();
    expect(keepFailedLog.skip?.(ctx, new WaitForIdenticalBuild('bother001'))).toMatch(/not a failure/);
    expect(keepFailedLog.skip?.(ctx, new Error('x'))).toBeUndefined();
    expect(keepFailedLog.skip?.({ ...ctx, state: {} }, new Error('x'))).toMatch(/no work directory/);
  });
});
