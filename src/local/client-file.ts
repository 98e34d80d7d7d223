import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../domain/errors.ts';

/**
 * `npm start` runs its own redis-server on a free port with a random password, so a `bootc-iso` command beside
 * it could not guess where its queue is. It writes this file into DATA_DIR (mode 0600: the URL holds the
 * password), and the command reads it when REDIS_URL is unset. Removed again when `npm start` stops.
 */
export const CLIENT_FILE = 'client.json';

const ClientFile = z.object({
  redisUrl: z.string().regex(/^rediss?:\/\//),
  pid: z.number().int().positive(),
  startedAt: z.string(),
});
export type ClientFile = z.infer<typeof ClientFile>;

export function clientFilePath(dataDir: string): string {
  return join(dataDir, CLIENT_FILE);
}

/** Written under a temp name and renamed into place, so a reader never sees half a file. */
export async function writeClientFile(dataDir: string, content: ClientFile): Promise<string> {
  const file = clientFilePath(dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(content)}\n`, { flag: 'wx', mode: 0o600, flush: true });
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
  return file;
}

/** Removes the file only if it is still this process's (a second `npm start` may have replaced it). */
export async function removeClientFile(dataDir: string, pid: number): Promise<void> {
  const current = await readClientFile(dataDir).catch(() => undefined);
  if (current?.pid === pid) await rm(clientFilePath(dataDir), { force: true });
}

/** The client file, or undefined when there is none; a file that is unreadable, open to others or malformed throws. */
export async function readClientFile(dataDir: string): Promise<ClientFile | undefined> {
  const file = clientFilePath(dataDir);
  let text: string;
  let mode: number;
  try {
    [text, { mode }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new AppError(
      'CONFIG_INVALID',
      `cannot read ${file} (${code ?? String(error)}), which says where \`npm start\` runs Redis; ` +
        'run bootc-iso as the user that runs npm start, or set REDIS_URL',
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new AppError(
      'CONFIG_INVALID',
      `${file} holds a Redis password but others may read it; chmod 600 it, or delete it and restart npm start`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const parsed = ClientFile.safeParse(data);
  if (!parsed.success) {
    throw new AppError(
      'CONFIG_INVALID',
      `${file} is not a client file of npm start; delete it and restart npm start`,
    );
  }
  return parsed.data;
}

/** True when a process with this id exists (signal 0 only checks). EPERM means it exists under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
