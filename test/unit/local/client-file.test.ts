import { chmod, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withClientRedis } from '../../../src/cli/client-redis.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import {
  clientFilePath,
  readClientFile,
  removeClientFile,
  writeClientFile,
} from '../../../src/local/client-file.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'client-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const content = (pid = process.pid) => ({
  redisUrl: 'redis://:s3cret-pw@127.0.0.1:40001',
  pid,
  startedAt: '2026-12-05T00:00:00.000Z',
});
const noFile = () => {
  throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
};
const configIn = (env: Record<string, string>) =>
  loadConfig({ DATA_DIR: dir, ...env }, { role: 'cli', readFile: noFile });

describe('the client file npm start leaves for the bootc-iso command', () => {
  it('is private (0600), complete when it appears, and read back as written', async () => {
    const file = await writeClientFile(join(dir, 'data'), content());
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'data'))).toEqual(['client.json']);
    expect(await readClientFile(join(dir, 'data'))).toEqual(content());
  });

  it('is refused when others may read it, since it holds the Redis password', async () => {
    await writeClientFile(dir, content());
    await chmod(clientFilePath(dir), 0o644);
    await expect(readClientFile(dir)).rejects.toThrow(/others may read it; chmod 600/);
  });

  it('is removed at stop only by the process that wrote it', async () => {
    await writeClientFile(dir, content(process.pid + 1_000_000));
    await removeClientFile(dir, process.pid);
    expect(await readClientFile(dir)).toBeDefined();
    await removeClientFile(dir, process.pid + 1_000_000);
    expect(await readClientFile(dir)).toBeUndefined();
  });

  it('gives the CLI its Redis when REDIS_URL is unset, and only then', async () => {
    await writeClientFile(dir, content());
    const config = await withClientRedis(configIn({}));
    expect(config.redis).toEqual({ url: content().redisUrl });
    const explicit = await withClientRedis(configIn({ REDIS_URL: 'redis://redis.example:6379' }));
    expect(explicit.redis.url).toBe('redis://redis.example:6379');
  });

  it('says so when the npm start that wrote it is gone, instead of trying a dead Redis', async () => {
    // Process ids this large are never handed out (pid_max is at most 2^22).
    await writeClientFile(dir, content(2 ** 30));
    await expect(withClientRedis(configIn({}))).rejects.toThrow(
      /pid 1073741824\), which is no longer running/,
    );
  });

  it('leaves the default Redis when there is no file', async () => {
    expect((await withClientRedis(configIn({}))).redis.url).toBe('redis://127.0.0.1:6379');
  });
});
