import { describe, expect, it } from 'vitest';
import { runBuildCommand } from '../../../src/cli/build-command.ts';
import type { BuildQueues } from '../../../src/queue/build-producer.ts';
import { loadYaml } from '../config/load-helpers.ts';

/** Queues that fail the test if touched: the refusal comes before Redis. */
const untouchable = new Proxy(
  {},
  {
    get: () => {
      throw new Error('the queue was touched');
    },
  },
) as BuildQueues;
const out = { write: () => true };

describe('bootc-iso build --local on a host without the RHEL entitlement', () => {
  it('refuses a RHEL ISO it could never build, before touching the queue', async () => {
    const config = loadYaml('worker:\n  capabilities: []\n');
    const error = await runBuildCommand(['--preset', 'rhel9', '--local'], {
      config,
      queues: untouchable,
      out,
      err: out,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((error as Error).message).toContain('needs rhel-entitlement');
    expect((error as Error).message).toContain('drop --local');
  });

  it('lets a build that needs nothing of the host through (it then waits for Redis)', async () => {
    const config = loadYaml('worker:\n  capabilities: []\n');
    const error = await runBuildCommand(['--preset', 'centos-stream9', '--local'], {
      config,
      queues: untouchable,
      out,
      err: out,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('the queue was touched');
  });
});
