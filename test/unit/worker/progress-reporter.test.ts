import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { BuildProgress } from '../../../src/queue/build-job.ts';
import { createProgressReporter } from '../../../workers/progress-reporter.ts';

function recorder() {
  const writes: BuildProgress[] = [];
  return { writes, job: { updateProgress: async (p: unknown) => void writes.push(p as BuildProgress) } };
}

describe('build progress reporting', () => {
  it('writes every step change at once and coalesces updates within a step', async () => {
    let now = 0;
    const { writes, job } = recorder();
    const r = createProgressReporter(
      job,
      { host: 'h', attempt: 1 },
      pino({ level: 'silent' }),
      2000,
      () => now,
    );
    r.report({ step: 'pull', message: 'pulling a' });
    r.report({ step: 'pull', message: 'pulling b' });
    r.report({ step: 'build', message: 'stage 1', percent: 10 });
    for (let i = 2; i < 50; i++) r.report({ step: 'build', message: `stage ${i}`, percent: 10 + i });
    now = 2500;
    r.report({ step: 'build', message: 'stage 50', percent: 60 });
    await r.flush();
    expect(writes.map((w) => w.message)).toEqual(['pulling a', 'stage 1', 'stage 50']);
    expect(writes[0]).toMatchObject({ host: 'h', attempt: 1 });
  });

  it('writes the last coalesced update on flush so the final state is never lost', async () => {
    const { writes, job } = recorder();
    const r = createProgressReporter(job, { host: 'h', attempt: 2 }, pino({ level: 'silent' }), 60_000);
    r.report({ step: 'upload', message: 'uploading ISO: 5%', percent: 5 });
    r.report({ step: 'upload', message: 'uploading ISO: 95%', percent: 95 });
    await r.flush();
    expect(writes.at(-1)).toMatchObject({ message: 'uploading ISO: 95%', attempt: 2 });
  });

  it('keeps going when Redis refuses a progress write', async () => {
    const r = createProgressReporter(
      { updateProgress: async () => Promise.reject(new Error('down')) },
      { host: 'h', attempt: 1 },
      pino({ level: 'silent' }),
    );
    r.report({ step: 'pull', message: 'x' });
    await expect(r.flush()).resolves.toBeUndefined();
  });
});
