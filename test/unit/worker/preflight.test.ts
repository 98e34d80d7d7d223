import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.ts';
import type { BuildContext } from '../../../workers/pipeline/build-context.ts';
import { preflight } from '../../../workers/pipeline/preflight.ts';
import { createPodman, type Podman } from '../../../workers/podman.ts';

const logger = pino({ level: 'silent' });

function context(podman: Podman, minFreeDiskGiB: number): BuildContext {
  return {
    podman,
    settings: {
      workerName: 'host-a',
      worker: { workDir: tmpdir(), containerStorage: tmpdir(), minFreeDiskGiB },
    },
    signal: new AbortController().signal,
  } as unknown as BuildContext;
}

const workingPodman = { version: async () => '4.3.1' } as unknown as Podman;

describe('build host preflight', () => {
  it('refuses a build when podman is not installed, saying so', async () => {
    const error = await preflight(context(createPodman('/nonexistent/podman', logger), 0)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('PODMAN_UNAVAILABLE');
    expect((error as AppError).message).toContain('"/nonexistent/podman" is not installed');
  });

  it('refuses a build when free disk is below the minimum, naming the host, path and figures', async () => {
    const error = await preflight(context(workingPodman, 1_000_000)).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('DISK_FULL');
    expect((error as AppError).message).toMatch(
      /host-a has [\d.]+ GiB free on .* below the 1000000 GiB minimum/,
    );
    expect((error as AppError).retryable).toBe(true);
  });

  it('passes with podman answering and enough disk, reporting what it found', async () => {
    const result = await preflight(context(workingPodman, 0));
    expect(result.podmanVersion).toBe('4.3.1');
    expect(result.freeGiB).toBeGreaterThan(0);
  });
});
