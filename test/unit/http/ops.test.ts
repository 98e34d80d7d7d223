import { DelayedError, UnrecoverableError } from 'bullmq';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { stripBase } from '../../../src/http/admin-dashboard.ts';
import { isAuthorized } from '../../../src/http/basic-auth.ts';
import { createBuildMetrics } from '../../../src/http/metrics.ts';
import { outcomeOf } from '../../../workers/build-metrics.ts';
import { BuildCancelled, IdenticalBuildDelay, SHUTDOWN_REASON } from '../../../workers/process-build-job.ts';
import { sampleValue } from '../../support/prometheus.ts';

const creds = { user: 'ops', password: 'pa:ss word-ü-1234' };
const header = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('basic auth for the dashboard', () => {
  it('accepts the exact user and password (the password may hold colons, spaces and UTF-8)', () => {
    expect(isAuthorized(header('ops:pa:ss word-ü-1234'), creds)).toBe(true);
    expect(isAuthorized(`basic   ${Buffer.from('ops:pa:ss word-ü-1234').toString('base64')}`, creds)).toBe(
      true,
    );
  });

  it('refuses anything else', () => {
    for (const value of [
      undefined,
      '',
      'Basic',
      'Bearer abc',
      header('ops'),
      header('ops:'),
      header(':pa:ss word-ü-1234'),
      header('OPS:pa:ss word-ü-1234'),
      header('ops:pa:ss word-ü-12345'),
      header('ops:pa:ss word-ü-123'),
      'Basic !!!notbase64',
    ]) {
      expect(isAuthorized(value, creds), String(value)).toBe(false);
    }
  });
});

describe('the dashboard base path', () => {
  it('is cut off so bull-board sees the paths it was written for', () => {
    expect(stripBase('/admin/queues', '/admin/queues')).toBe('/');
    expect(stripBase('/admin/queues/', '/admin/queues')).toBe('/');
    expect(stripBase('/admin/queues?x=1', '/admin/queues')).toBe('/?x=1');
    expect(stripBase('/admin/queues/api/queues?page=2', '/admin/queues')).toBe('/api/queues?page=2');
    expect(stripBase('/admin/queues/static/js/main.js', '/admin/queues')).toBe('/static/js/main.js');
  });
});

describe('build attempt outcomes', () => {
  const aborted = (reason: string) => {
    const controller = new AbortController();
    controller.abort(reason);
    return controller.signal;
  };

  it('follow what the processor decided', () => {
    const first = { attemptsMade: 0, attempts: 3 };
    const last = { attemptsMade: 2, attempts: 3 };
    expect(outcomeOf(new UnrecoverableError('bad image'), first, undefined)).toBe('failed');
    expect(outcomeOf(new Error('registry down'), first, undefined)).toBe('retrying');
    expect(outcomeOf(new Error('registry down'), last, undefined)).toBe('failed');
    expect(outcomeOf(new UnrecoverableError('cancelled'), first, aborted('cancelled by U1'))).toBe(
      'cancelled',
    );
    expect(outcomeOf(new Error('host shut down'), first, aborted(SHUTDOWN_REASON))).toBe('requeued');
    expect(outcomeOf(new DelayedError(), last, undefined)).toBe('requeued');
    expect(outcomeOf(new IdenticalBuildDelay(), last, undefined)).toBe('waiting');
    // Cancelled before the worker could hear it (the cancel was remembered in Redis): no abort signal.
    expect(outcomeOf(new BuildCancelled('cancelled by cli:ann'), first, undefined)).toBe('cancelled');
  });

  it('keep labels to the closed sets, so job data cannot create new series', async () => {
    const metrics = createBuildMetrics(new Registry());
    metrics.finished({
      outcome: 'failed',
      type: 'iso"}\nevil',
      arch: 'm68k',
      seconds: 1,
      code: 'NOT_A_CODE',
    });
    metrics.finished({
      outcome: 'succeeded',
      type: 'iso',
      arch: 'aarch64',
      seconds: 2,
      timings: { 'bad step': 5 },
    });
    const text = await metrics.registry.metrics();
    expect(sampleValue(text, 'bootc_iso_builds_total', { type: 'unknown', arch: 'unknown' })).toBe(1);
    expect(sampleValue(text, 'bootc_iso_build_failures_total', { code: 'unknown' })).toBe(1);
    expect(sampleValue(text, 'bootc_iso_builds_total', { type: 'iso', arch: 'aarch64' })).toBe(1);
    expect(text).not.toContain('evil');
    expect(text).not.toContain('bad step');
  });

  it('count running builds up and down once per attempt', async () => {
    const metrics = createBuildMetrics(new Registry());
    const done = metrics.started();
    expect(sampleValue(await metrics.registry.metrics(), 'bootc_iso_builds_running')).toBe(1);
    done();
    done();
    expect(sampleValue(await metrics.registry.metrics(), 'bootc_iso_builds_running')).toBe(0);
  });
});
