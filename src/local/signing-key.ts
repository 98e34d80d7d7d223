import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../domain/errors.ts';

export const SIGNING_KEY_FILE = 'link-signing.key';

/**
 * The key download links are signed with: LINK_SIGNING_KEY when set, else 32 random bytes generated once and kept
 * (hex) in `<dataDir>/link-signing.key`, mode 0600, so links survive restarts and a bot and a worker sharing the
 * data directory sign alike. The file is created under a temp name and hard-linked into place, so two processes
 * starting at once end up with the same key and nobody ever reads a half-written file.
 */
export async function loadSigningKey(dataDir: string, configured?: string): Promise<Buffer> {
  if (configured !== undefined) return Buffer.from(configured, 'utf8');
  const file = join(dataDir, SIGNING_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600, flush: true });
    await link(temp, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    throw new AppError(
      'CONFIG_INVALID',
      `cannot create the link-signing key ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); ` +
        'make DATA_DIR writable, or set LINK_SIGNING_KEY',
      { cause: error },
    );
  } finally {
    await rm(temp, { force: true });
  }
  const created = await readKeyFile(file);
  if (!created) throw new AppError('CONFIG_INVALID', `the link-signing key ${file} vanished while starting`);
  return created;
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let text: string;
  let mode: number;
  try {
    [text, { mode }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError(
      'CONFIG_INVALID',
      `cannot read the link-signing key ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      { cause: error },
    );
  }
  // Anyone who can read the key can make download links for every build.
  if ((mode & 0o077) !== 0) {
    throw new AppError(
      'CONFIG_INVALID',
      `the link-signing key ${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${file}`,
    );
  }
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new AppError(
      'CONFIG_INVALID',
      `the link-signing key ${file} is not 64 hex digits; delete it to have a new one made (links already ` +
        'sent stop working), or set LINK_SIGNING_KEY',
    );
  }
  return Buffer.from(hex, 'hex');
}
