import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES, type ErrorCode } from '../../../../src/domain/errors.ts';
import type { BuildResult } from '../../../../src/queue/build-job.ts';
import {
  HOST_RETRY_DELAY_MS,
  IDENTICAL_WAIT_MS,
  type OutcomeCircumstances,
  toQueueOutcome,
} from '../../../../workers/pipeline/queue-outcome.ts';
import { WaitForIdenticalBuild } from '../../../../workers/pipeline/steps/claim-identical.ts';

const SHUTDOWN = 'build host shutting down';
const base: OutcomeCircumstances = {
  attempt: 1,
  attempts: 3,
  host: 'host-a',
  aborted: false,
  abortReason: undefined,
  shutdownReason: SHUTDOWN,
  alreadyWaiting: false,
};
const failed = (error: unknown) => ({ kind: 'failed' as const, error, step: 'pull' });

describe('pipeline outcome → queue outcome', () => {
  it('completes a successful build with its result', () => {
    const image = {
      key: 'builds/b1/install.iso',
      size: 3,
      sha256: 'f'.repeat(64),
      filename: 'b1-install.iso',
    };
    const result: BuildResult = {
      buildId: 'b1',
      iso: image,
      artifacts: [{ role: 'image', type: 'iso', ...image }],
      logKey: 'builds/b1/build.log',
      manifestKey: 'builds/b1/manifest.json',
      link: { url: 'http://x/', expiresAt: '2026-12-01T00:00:00.000Z' },
      sourceImage: 's',
      sourceDigest: 'd',
      builderImage: 'b',
      builderDigest: 'e',
      workerHost: 'host-a',
      timings: {},
      finishedAt: '2026-12-01T00:00:00.000Z',
    };
    expect(toQueueOutcome({ kind: 'succeeded', result }, base)).toEqual({ action: 'complete', result });
  });

  it('sends a build waiting for an identical one back to the queue, announcing it on the first look only', () => {
    const wait = new WaitForIdenticalBuild('bother01');
    expect(toQueueOutcome(failed(wait), base)).toMatchObject({
      action: 'wait-identical',
      holder: 'bother01',
      delayMs: IDENTICAL_WAIT_MS,
      announce: true,
    });
    expect(toQueueOutcome(failed(wait), { ...base, alreadyWaiting: true })).toMatchObject({
      announce: false,
    });
  });

  it('hands a build back at once when this host shuts down, whatever the step said', () => {
    const out = toQueueOutcome(failed(new AppError('CANCELLED', 'x')), {
      ...base,
      aborted: true,
      abortReason: SHUTDOWN,
    });
    expect(out).toEqual({
      action: 'hand-back',
      why: 'build host host-a is shutting down',
      delayMs: 0,
      hostUnfit: false,
    });
  });

  it('fails a cancelled build as cancelled, saying by whom, even when a step reported something else', () => {
    const out = toQueueOutcome(failed(new AppError('UPLOAD_FAILED', 'upload stopped')), {
      ...base,
      aborted: true,
      abortReason: 'cancelled by alice',
    });
    expect(out).toMatchObject({ action: 'fail', retry: false, cancelled: true });
    expect(out.action === 'fail' && out.error.message).toBe('cancelled by alice');
  });

  it("follows each error code's disposition: fail, retry while attempts remain, or hand back and pause the host", () => {
    const rows: string[] = [];
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const out = toQueueOutcome(failed(new AppError(code, code)), base);
      const disposition = ERROR_CODES[code].disposition;
      if (disposition === 'hand-back') {
        expect(out).toMatchObject({ action: 'hand-back', delayMs: HOST_RETRY_DELAY_MS, hostUnfit: true });
      } else {
        expect(out).toMatchObject({ action: 'fail', retry: disposition === 'retry' });
      }
      rows.push(`${code}:${out.action}${out.action === 'fail' && out.retry ? '+retry' : ''}`);
    }
    expect(rows).toContain('NOT_BOOTC_IMAGE:fail');
    expect(rows).toContain('ARCH_MISMATCH:fail');
    expect(rows).toContain('SOURCE_CHANGED:fail+retry');
    expect(rows).toContain('DISK_UNREADABLE:hand-back');
  });

  it('does not retry on the last attempt, and treats anything foreign as an internal error', () => {
    const last = toQueueOutcome(failed(new AppError('REGISTRY_UNAVAILABLE', 'down')), {
      ...base,
      attempt: 3,
    });
    expect(last).toMatchObject({ action: 'fail', retry: false });
    const foreign = toQueueOutcome(failed(new TypeError('oops')), base);
    expect(foreign.action === 'fail' && foreign.error.code).toBe('INTERNAL');
  });

  it("keeps a registry's Retry-After on the error it passes on", () => {
    const out = toQueueOutcome(
      failed(new AppError('REGISTRY_UNAVAILABLE', 'too many requests', { retryAfterMs: 30_000 })),
      base,
    );
    expect(out.action === 'fail' && out.error.retryAfterMs).toBe(30_000);
  });
});
