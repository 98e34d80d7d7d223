import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PrepareContext, prepare } from '../../../../../workers/pipeline/steps/prepare.ts';
import { scope, silent, tempDir } from '../support.ts';

async function context(): Promise<PrepareContext> {
  return {
    buildId: 'bprep0001',
    attempt: 2,
    logger: silent,
    settings: { workerName: 'host-a', worker: { workDir: await tempDir() } },
    state: {},
  };
}

describe('prepare step', () => {
  it('makes a private attempt directory with an empty auth file and a log that starts with the attempt', async () => {
    const ctx = await context();
    const s = scope();
    await prepare.run(ctx, s);
    const paths = ctx.state.paths;
    expect(paths?.root).toMatch(/bprep0001\/attempt-2$/);
    expect(await readFile(paths?.authFile ?? '', 'utf8')).toBe('{}');
    expect((await stat(paths?.authFile ?? '')).mode & 0o777).toBe(0o600);
    expect((await stat(paths?.outputDir ?? '')).mode & 0o777).toBe(0o700);
    await ctx.state.log?.flush();
    expect(await readFile(paths?.buildLog ?? '', 'utf8')).toMatch(
      /^# build bprep0001, attempt 2, on build host host-a, started \d{4}-/,
    );
  });

  it('registers clean-ups that close the log and remove the directory (and the empty build directory)', async () => {
    const ctx = await context();
    const s = scope();
    await prepare.run(ctx, s);
    expect(s.cleanups.map((c) => c.what)).toEqual(['remove the work directory', 'close the build log']);
    await s.runCleanups();
    await expect(stat(ctx.state.paths?.root ?? '')).rejects.toThrow();
    await expect(stat(dirname(ctx.state.paths?.root ?? ''))).rejects.toThrow();
  });
});
