import { readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';

export const LOCK_FILE = 'owner.pid';
export const REDIS_PID_FILE = 'redis.pid';

/**
 * Takes the embedded Redis data directory for this process. Two Redis servers writing one append-only file would
 * corrupt it, so a second `npm start` on the same DATA_DIR is refused while the first one lives, and a redis-server
 * left running by a run that was killed (SIGKILL, OOM) is stopped first.
 */
export async function claimRedisDir(
  dir: string,
  logger: Logger,
  stopTimeoutMs: number,
): Promise<() => Promise<void>> {
  const lock = join(dir, LOCK_FILE);
  const owner = await readPid(lock);
  if (owner !== undefined && owner !== process.pid && (await isNodeProcess(owner))) {
    throw new AppError(
      'CONFIG_INVALID',
      `another bootc-iso process (pid ${owner}) runs the embedded Redis in ${dir}; stop it first, ` +
        'or give this one its own DATA_DIR',
    );
  }
  await writeFile(lock, `${process.pid}\n`, { mode: 0o600 });
  await stopLeftoverRedis(dir, logger, stopTimeoutMs);
  return async () => {
    if ((await readPid(lock)) === process.pid) await rm(lock, { force: true });
  };
}

async function stopLeftoverRedis(dir: string, logger: Logger, stopTimeoutMs: number): Promise<void> {
  const pid = await readPid(join(dir, REDIS_PID_FILE));
  if (pid === undefined || !(await isRedisIn(pid, dir))) return;
  logger.warn({ pid, dir }, 'stopping a redis-server left running by an earlier run');
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + stopTimeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal(pid, 'SIGKILL');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
}

/** A live redis-server whose working directory is `dir` (redis-server chdirs into its --dir). Linux only. */
async function isRedisIn(pid: number, dir: string): Promise<boolean> {
  try {
    const [comm, cwd, wanted] = await Promise.all([
      readFile(`/proc/${pid}/comm`, 'utf8'),
      readlink(`/proc/${pid}/cwd`),
      realpath(dir),
    ]);
    return comm.trim().startsWith('redis-server') && cwd === wanted;
  } catch {
    return false;
  }
}

async function isNodeProcess(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return /node|tsx/.test(cmdline);
  } catch {
    // No /proc (not Linux): trust the pid.
    return true;
  }
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return /^\d{1,10}$/.test(text) && Number(text) > 1 ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
