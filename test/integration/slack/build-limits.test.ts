import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Access } from '../../../src/config/access-schema.ts';
import { BuildQueues } from '../../../src/queue/build-producer.ts';
import { authorizeBuild } from '../../../src/slack/access/authorize-build.ts';
import {
  releaseOpenBuild,
  reserveWithinLimits,
  trackOpenBuild,
} from '../../../src/slack/access/build-limits.ts';
import type { SlackDeps } from '../../../src/slack/slack-deps.ts';
import { type RedisHandle, startRedis } from '../../testbed/index.ts';

let redis: RedisHandle;
const clients: Redis[] = [];
let queues: BuildQueues;

beforeAll(async () => {
  redis = await startRedis();
  // Several connections, as several bot processes would have.
  for (let i = 0; i < 4; i++) clients.push(new Redis(redis.url, { maxRetriesPerRequest: 1 }));
  queues = new BuildQueues(clients[0] as Redis);
});

afterAll(async () => {
  await queues?.close();
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

describe('build limits under concurrent submissions', () => {
  it('give exactly the limit to 20 simultaneous submissions, per user and per channel', async () => {
    const limits = { perUser: 3, perChannel: 0 };
    const who = { userId: 'U0RACE', channelId: 'C0RACE' };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        reserveWithinLimits(clients[i % clients.length] as Redis, queues, limits, who),
      ),
    );
    const granted = results.filter((r) => r.allowed);
    console.log(`submissions over the limit: ${Math.max(0, granted.length - limits.perUser)}`);
    expect(granted).toHaveLength(3);
    expect(results.filter((r) => !r.allowed)[0]).toMatchObject({
      reason: expect.stringContaining('limit is 3'),
    });

    const channelWide = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        reserveWithinLimits(
          clients[i % clients.length] as Redis,
          queues,
          { perUser: 0, perChannel: 3 },
          {
            userId: `U0P${i}`,
            channelId: 'C0CHAN',
          },
        ),
      ),
    );
    expect(channelWide.filter((r) => r.allowed)).toHaveLength(3);
  });

  it('free a place when a reservation is released, and keep it when it becomes a queued build', async () => {
    const limits = { perUser: 1, perChannel: 0 };
    const who = { userId: 'U0SWAP', channelId: 'C0SWAP' };
    const first = await reserveWithinLimits(clients[0] as Redis, queues, limits, who);
    if (!first.allowed) throw new Error('the first reservation was refused');
    expect((await reserveWithinLimits(clients[1] as Redis, queues, limits, who)).allowed).toBe(false);
    await releaseOpenBuild(clients[0] as Redis, first.reservation);
    const second = await reserveWithinLimits(clients[1] as Redis, queues, limits, who);
    if (!second.allowed) throw new Error('the place was not freed');
    // Queued: the reservation is swapped for the build, which still holds the place while it waits.
    await queues.get('x86_64').add('build', { arch: 'x86_64' }, { jobId: 'blimit001' });
    await trackOpenBuild(clients[1] as Redis, who, 'x86_64', 'blimit001', second.reservation);
    expect((await reserveWithinLimits(clients[2] as Redis, queues, limits, who)).allowed).toBe(false);
    // Once it is gone from the queue (finished, removed), the place is free again.
    await queues.get('x86_64').remove('blimit001');
    expect((await reserveWithinLimits(clients[2] as Redis, queues, limits, who)).allowed).toBe(true);
  });

  it('reserve a place for every allowed request, retries included (Retry goes through the same check)', async () => {
    const audited: unknown[] = [];
    const deps = {
      config: { access: Access.parse({ limits: { perUser: 1 } }), presets: {}, credentialRegistries: [] },
      publisher: clients[3],
      queues,
      groupsOf: async () => [],
      audit: async (entry: unknown) => void audited.push(entry),
      logger: pino({ level: 'silent' }),
    } as unknown as SlackDeps;
    const input = { preset: 'demo', source: 'quay.io/centos-bootc/centos-bootc:stream9' } as never;
    const who = { userId: 'U0RETRY', channelId: 'C0RETRY' };
    const first = await authorizeBuild(deps, input, who);
    expect(first.allowed).toBe(true);
    const retry = await authorizeBuild(deps, input, who);
    expect(retry).toMatchObject({ allowed: false, reason: expect.stringContaining('limit is 1') });
    expect(audited).toContainEqual(expect.objectContaining({ who: 'U0RETRY', allowed: false }));
  });
});
