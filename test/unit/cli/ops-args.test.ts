import { describe, expect, it } from 'vitest';
import { parseJobArgs } from '../../../src/cli/job-command.ts';
import { parseJobsArgs } from '../../../src/cli/jobs-command.ts';
import { isOpsCommand } from '../../../src/cli/ops-commands.ts';
import { parseRetryArgs, retryInput } from '../../../src/cli/retry-command.ts';
import { parseWorkersArgs } from '../../../src/cli/workers-command.ts';
import { BuildRequest } from '../../../src/domain/build-request.ts';
import { AppError } from '../../../src/domain/errors.ts';

function usageErrorOf(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('bootc-iso jobs arguments', () => {
  it('defaults to every state and every arch, newest 50, as text', () => {
    expect(parseJobsArgs([])).toEqual({
      states: ['waiting', 'active', 'delayed', 'completed', 'failed'],
      arches: ['x86_64', 'aarch64', 's390x', 'ppc64le', 'riscv64'],
      limit: 50,
      json: false,
    });
  });

  it('takes repeated and comma-separated states, case-insensitively, without duplicates', () => {
    const opts = parseJobsArgs([
      '--state',
      'failed',
      '--state',
      'Active,failed',
      '--arch',
      'aarch64',
      '--json',
    ]);
    expect(opts.states).toEqual(['failed', 'active']);
    expect(opts.arches).toEqual(['aarch64']);
    expect(opts.json).toBe(true);
  });

  it('refuses an unknown state, arch or limit with the usage, as a usage error', () => {
    const state = usageErrorOf(() => parseJobsArgs(['--state', 'running']));
    expect(state.code).toBe('INVALID_REQUEST');
    expect(state.message).toMatch(/^--state running: use one of waiting, active, delayed, completed, failed/);
    expect(state.message).toContain('usage: bootc-iso jobs');
    expect(usageErrorOf(() => parseJobsArgs(['--arch', 'amd64'])).message).toMatch(
      /--arch amd64: use one of/,
    );
    expect(usageErrorOf(() => parseJobsArgs(['--limit', '0'])).message).toMatch(/--limit 0: give a whole/);
    expect(usageErrorOf(() => parseJobsArgs(['--limit', '2.5'])).message).toMatch(/--limit 2.5/);
    expect(usageErrorOf(() => parseJobsArgs(['extra'])).message).toMatch(/unexpected argument "extra"/);
    expect(usageErrorOf(() => parseJobsArgs(['--states', 'x'])).message).toMatch(/--states/);
  });
});

describe('bootc-iso job arguments', () => {
  it('reads a build id as forgivingly as Slack does', () => {
    expect(parseJobArgs(['B7K2M9QXZ'])).toEqual({
      buildId: 'b7k2m9qxz',
      logs: false,
      follow: false,
      json: false,
      raw: false,
    });
    expect(parseJobArgs(['b7k2m9qxz', '--logs', '-f', '--json'])).toMatchObject({ logs: true, follow: true });
  });

  it('needs exactly one valid id, and --follow only with --logs', () => {
    expect(usageErrorOf(() => parseJobArgs([])).message).toMatch(/^give a build id/);
    expect(usageErrorOf(() => parseJobArgs(['b7k2m9qxz', 'b7k2m9qxy'])).message).toMatch(
      /^one build id only/,
    );
    expect(usageErrorOf(() => parseJobArgs(['--logs', 'nope'])).message).toMatch(/"nope" is not a build id/);
    expect(usageErrorOf(() => parseJobArgs(['b7k2m9qxz', '--follow'])).message).toMatch(
      /--follow goes with --logs/,
    );
  });
});

describe('bootc-iso retry and workers arguments', () => {
  it('parses retry options', () => {
    expect(parseRetryArgs(['b7k2m9qxz', '--detach', '--json'])).toEqual({
      buildId: 'b7k2m9qxz',
      detach: true,
      json: true,
    });
    expect(usageErrorOf(() => parseRetryArgs(['--detach'])).message).toContain('usage: bootc-iso retry');
  });

  it('parses workers options and refuses arguments', () => {
    expect(parseWorkersArgs(['--json'])).toEqual({ json: true });
    expect(usageErrorOf(() => parseWorkersArgs(['all'])).message).toMatch(/unexpected argument/);
  });

  it('knows its command names and nothing inherited from Object', () => {
    expect(['jobs', 'job', 'retry', 'workers'].every(isOpsCommand)).toBe(true);
    expect(isOpsCommand('toString')).toBe(false);
    expect(isOpsCommand('build')).toBe(false);
  });
});

describe('the request a retry queues', () => {
  it('keeps the image, builder, arch and customizations and becomes this CLI user’s, now', () => {
    const old = BuildRequest.parse({
      source: 'quay.io/a/b:1',
      preset: 'demo',
      builder: { name: 'centos', image: 'quay.io/centos-bootc/bootc-image-builder:latest' },
      type: 'iso',
      arch: 'aarch64',
      customizations: { users: [{ name: 'admin', sshKeys: [], groups: ['wheel'] }], fips: true },
      requester: { kind: 'slack', userId: 'U024BE7LH', channelId: 'C024BE91L' },
      requestedAt: '2026-01-01T00:00:00Z',
    });
    const input = retryInput(old, 'operator', new Date('2026-02-01T00:00:00Z'));
    expect(input).toEqual({
      ...old,
      requester: { kind: 'cli', user: 'operator' },
      requestedAt: '2026-02-01T00:00:00.000Z',
    });
  });
});
