import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_PREFIX } from '../../src/queue/names.ts';
import { BuildRecords } from '../../src/slack/build-records.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { REPO_ROOT } from '../support/run-process.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

let tb: Testbed;
let dir: string;
let env: Record<string, string>;

const cli = (args: string[]) =>
  execa('node', ['bin/bootc-iso.js', ...args], { env, extendEnv: true, reject: false, cwd: REPO_ROOT });

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed();
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-audit-e2e-'));
  ({ env } = await writeE2eConfig(tb, dir, tb.registry, {
    extraYaml: `access:\n  auditLog: "${join(dir, 'audit.jsonl')}"`,
  }));
  env.METRICS_PORT = 'off';
});

afterAll(async () => {
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the operator command line’s audit trail', () => {
  it('records build and cancel with the OS user and host, hash-chained, and audit verify finds edits', async () => {
    // No worker runs: the build stays queued until it is cancelled.
    const queued = await cli(['build', '--preset', 'demo', '--detach', '--json']);
    expect(queued.exitCode).toBe(0);
    const buildId = JSON.parse(queued.stdout.trim().split('\n').at(-1) ?? '{}').buildId as string;
    expect((await cli(['cancel', buildId])).exitCode).toBe(0);

    // The chain is kept in Redis (the CLI builds no S3 client); the configured file gets the same entries.
    const redis = new Redis(tb.redis.url, { maxRetriesPerRequest: 1 });
    try {
      const records = new BuildRecords(redis);
      const lines = await records.auditLines(buildId);
      const entries = lines.map((l) => JSON.parse(l));
      expect(entries.map((e) => e.action)).toEqual(['build', 'cancel']);
      for (const entry of entries)
        expect(entry).toMatchObject({ who: `cli:${userInfo().username}`, host: hostname(), buildId });
      const file = await readFile(join(dir, 'audit.jsonl'), 'utf8');
      expect(file).toContain(`"host":"${hostname()}"`);

      const intact = await cli(['audit', 'verify', buildId]);
      expect(intact.stdout).toContain('redis: 2 entries, chain intact');
      expect(intact.exitCode).toBe(0);

      // Someone with storage access publishes an edited trail: the build entry now names another person.
      const store = createS3Store({ ...tb.s3, forcePathStyle: true });
      const edited = lines.join('').replace(`cli:${userInfo().username}`, 'cli:someone-else');
      await store.putObject(`builds/${buildId}/audit.jsonl`, edited, 'application/x-ndjson');
      const broken = await cli(['audit', 'verify', buildId]);
      expect(broken.stdout).toMatch(/audit.jsonl: BROKEN at line 2/);
      expect(broken.stdout).toContain('the stored file and the Redis copy differ');
      expect(broken.exitCode).toBe(1);

      // And in Redis itself.
      await redis.lset(
        `${QUEUE_PREFIX}:slack:audit:${buildId}`,
        0,
        (lines[0] ?? '').replace('"allowed":true', '"allowed":false'),
      );
      const rewritten = await cli(['audit', 'verify', buildId]);
      expect(rewritten.stdout).toMatch(/redis: BROKEN at line 2/);
      expect(rewritten.exitCode).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});
