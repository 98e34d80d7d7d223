import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../src/domain/errors.ts';
import {
  checkBuildHost,
  type PreflightContext,
  preflight,
} from '../../../../../workers/pipeline/steps/preflight.ts';
import { createPodman, type Podman } from '../../../../../workers/podman.ts';
import { silent, tempDir } from '../support.ts';

async function context(
  podman: Partial<Pick<Podman, 'version'>>,
  minFreeDiskGiB: number,
): Promise<PreflightContext> {
  const dir = await tempDir();
  return {
    podman: { ...createPodman('/nonexistent/podman', silent), ...podman },
    signal: new AbortController().signal,
    settings: { workerName: 'host-a', worker: { workDir: dir, containerStorage: dir, minFreeDiskGiB } },
    state: {},
  };
}

const working = { version: async () => '4.3.1' };

describe('preflight step', () => {
  it('refuses a build when podman is not installed, saying so', async () => {
    const ctx = await context({}, 0);
    const error = await preflight.run(ctx, { defer: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('PODMAN_UNAVAILABLE');
    expect((error as AppError).message).toContain('"/nonexistent/podman" is not installed');
  });

  it('refuses a build when free disk is below the minimum, naming host, path and figures; hands it back', async () => {
    const error = await preflight
      .run(await context(working, 1_000_000), { defer: () => undefined })
      .catch((e: unknown) => e);
    expect((error as AppError).code).toBe('DISK_FULL');
    expect((error as AppError).message).toMatch(
      /host-a has [\d.]+ GiB free on .* below the 1000000 GiB minimum/,
    );
    expect((error as AppError).disposition).toBe('hand-back');
  });

  it('refuses a build when the free space cannot be read, instead of counting it as unlimited', async () => {
    const ctx = await context(working, 1);
    const unreadable = async (path: string): Promise<number> => {
      throw new Error(`EACCES: permission denied, statfs '${path}'`);
    };
    const error = await checkBuildHost(ctx, unreadable).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('DISK_UNREADABLE');
    expect((error as AppError).message).toMatch(/host-a cannot read the free space on .*permission denied/);
    expect((error as AppError).disposition).toBe('hand-back');
    // The real statfs of a directory that is not there fails the same way.
    const gone = await context(working, 1);
    gone.settings.worker.workDir = '/nonexistent/work';
    const missing = await preflight.run(gone, { defer: () => undefined }).catch((e: unknown) => e);
    expect((missing as AppError).code).toBe('DISK_UNREADABLE');
    expect((missing as AppError).message).toContain('/nonexistent/work');
  });

  it('passes with podman answering and enough disk, recording the podman version', async () => {
    const ctx = await context(working, 0);
    await preflight.run(ctx, { defer: () => undefined });
    expect(ctx.state.podmanVersion).toBe('4.3.1');
  });
});
