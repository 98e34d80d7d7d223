import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../../src/domain/errors.ts';
import type { BuildContext } from '../../../workers/pipeline/build-context.ts';
import { checkFreeDisk } from '../../../workers/pipeline/preflight.ts';

const context = (minFreeDiskGiB: number) =>
  ({
    settings: {
      workerName: 'host-a',
      worker: { workDir: tmpdir(), containerStorage: tmpdir(), minFreeDiskGiB },
    },
  }) as unknown as BuildContext;

describe('free disk checked again after the pulls', () => {
  it('refuses, saying it was after the pulls, when the images took the room', async () => {
    const error = (await checkFreeDisk(context(1_000_000), ' after pulling the images').catch(
      (e) => e,
    )) as AppError;
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toMatch(/free on .* after pulling the images, below the 1000000 GiB minimum/);
    expect(await checkFreeDisk(context(0))).toBeGreaterThan(0);
  });
});
