import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRedis, ping, startEmbeddedRedis } from '../../src/local/embedded-redis.ts';
import { collectLines, startTsx } from '../support/run-process.ts';

const logger = pino({ level: 'silent' });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'embedded-redis-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe('the embedded redis-server of npm start', () => {
  it('answers on 127.0.0.1 with its password only, keeps an append-only file and stops on request', async () => {
    const redisDir = join(dir, 'basic');
    const redis = await startEmbeddedRedis({ dir: redisDir, password: 'pw-basic-1234', logger });
    expect(redis.url).toBe(`redis://:pw-basic-1234@127.0.0.1:${redis.port}`);
    expect(await ping(redis.port, 'pw-basic-1234')).toBe(true);
    expect(await ping(redis.port, 'wrong')).toBe(false);
    const client = new Redis(redis.url);
    await client.set('k', 'v');
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    client.disconnect();
    await redis.stop();
    expect(isAlive(redis.pid)).toBe(false);
    expect(await readdir(redisDir)).toContain('appendonlydir');
    expect(await readdir(redisDir)).not.toContain('owner.pid');

    const again = await startEmbeddedRedis({ dir: redisDir, password: 'pw-basic-5678', logger });
    const reader = new Redis(again.url);
    expect(await reader.get('k')).toBe('v');
    reader.disconnect();
    await again.stop();
  });

  it('says how to install redis-server when it is missing', async () => {
    await expect(
      startEmbeddedRedis({
        dir: join(dir, 'missing'),
        password: 'x',
        logger,
        executable: 'no-such-redis-server',
      }),
    ).rejects.toThrow(
      'redis-server is not installed: apt-get install redis-server / dnf install redis, or set REDIS_URL',
    );
  });

  it('refuses a second owner of the directory, and stops the server of a run that was killed', async () => {
    const redisDir = join(dir, 'shared');
    const holder = startTsx('test/fixtures/local/hold-embedded-redis.ts', {}, [redisDir]);
    const out = collectLines(holder);
    const first = JSON.parse(await out.waitFor(/"pid"/, 30_000)) as { pid: number; port: number };
    await expect(startEmbeddedRedis({ dir: redisDir, password: 'pw-2', logger })).rejects.toThrow(
      /another bootc-iso process \(pid \d+\) runs the embedded Redis/,
    );

    // SIGKILL gives the holder no chance to stop its redis-server, which runs in a process group of its own.
    holder.kill('SIGKILL');
    await holder.catch(() => undefined);
    expect(isAlive(first.pid)).toBe(true);

    let second: EmbeddedRedis | undefined;
    try {
      second = await startEmbeddedRedis({ dir: redisDir, password: 'pw-2', logger });
      expect(await gone(first.pid)).toBe(true);
      expect(await ping(second.port, 'pw-2')).toBe(true);
    } finally {
      await second?.stop();
      if (isAlive(first.pid)) process.kill(first.pid, 'SIGKILL');
    }
  });
});
