import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../domain/errors.ts';
import type { ArtifactStore, UploadedObject, UploadFileOptions } from './artifact-store.ts';
import { createDownloadLink, type LinkCheck, verifyLink } from './download-link.ts';
import { localKeyProblem } from './local-key.ts';

export interface LocalStoreOptions {
  /** Absolute directory holding the objects (ARTIFACT_DIR). */
  root: string;
  /** Base of download links, e.g. http://localhost:3000 (PUBLIC_URL). */
  publicUrl: string;
  signingKey: Buffer;
  now?: () => number;
}

/** An object opened for download: read it through `handle`, then close it. */
export interface OpenedObject {
  handle: FileHandle;
  size: number;
}

/** The artifact store of a single host: a directory, served by the bot under /downloads with signed links. */
export interface LocalStore extends ArtifactStore {
  readonly kind: 'local';
  readonly root: string;
  checkLink(request: {
    key: string;
    expires: string | null;
    sig: string | null;
    filename: string | null;
  }): LinkCheck;
  /** The regular file under `key`, or undefined when there is none (or the key is not valid). */
  openObject(key: string): Promise<OpenedObject | undefined>;
}

const CHUNK = 1024 * 1024;

export function createLocalStore(options: LocalStoreOptions): LocalStore {
  const { publicUrl, signingKey } = options;
  const root = resolve(options.root);
  const now = options.now ?? Date.now;

  function pathOf(key: string): string {
    const problem = localKeyProblem(key);
    if (problem)
      throw new AppError('INTERNAL', `artifact key ${JSON.stringify(key.slice(0, 80))} ${problem}`);
    const path = join(root, ...key.split('/'));
    // Unreachable with a valid key; kept so a future change to the key rules cannot open a path traversal.
    if (path === root || !isInside(path, root))
      throw new AppError('INTERNAL', `artifact key ${key} leaves the store`);
    return path;
  }

  /** Runs `write` on a temp file next to the key's path, then renames it into place: never a partial object. */
  async function writeAtomically<T>(key: string, write: (temp: string) => Promise<T>): Promise<T> {
    const target = pathOf(key);
    const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
    try {
      await mkdir(dirname(target), { recursive: true, mode: 0o750 });
      const result = await write(temp);
      await rename(temp, target);
      await syncDirectory(dirname(target));
      return result;
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw storeError(key, root, error);
    }
  }

  async function uploadFile(key: string, path: string, options: UploadFileOptions): Promise<UploadedObject> {
    let size: number;
    try {
      ({ size } = await stat(path));
    } catch (error) {
      throw new AppError('UPLOAD_FAILED', `cannot read ${path} to store it as ${key}`, { cause: error });
    }
    const hash = createHash('sha256');
    let loaded = 0;
    await writeAtomically(key, async (temp) => {
      // One read of the file: the hash sees every byte on its way to the temp file.
      await pipeline(
        createReadStream(path, { highWaterMark: CHUNK }),
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            loaded += chunk.length;
            yield chunk;
            options.onProgress?.(loaded, size);
          }
        },
        createWriteStream(temp, { flags: 'wx', mode: 0o640, flush: true }),
        options.signal ? { signal: options.signal } : {},
      );
      if (loaded !== size)
        throw new Error(`${path} changed size while it was copied (${size} → ${loaded} bytes)`);
    }).catch((error: unknown) => {
      if (options.signal?.aborted) throw new AppError('CANCELLED', 'upload stopped: the build was cancelled');
      throw error;
    });
    return { key, size, sha256: hash.digest('hex') };
  }

  async function putObject(
    key: string,
    body: string | Buffer,
    _contentType: string,
  ): Promise<UploadedObject> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    await writeAtomically(key, (temp) => writeFile(temp, bytes, { flag: 'wx', mode: 0o640, flush: true }));
    return { key, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async function headObject(key: string): Promise<{ size: number } | undefined> {
    try {
      const info = await stat(pathOf(key));
      return info.isFile() ? { size: info.size } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw storeError(key, root, error, 'reading');
    }
  }

  async function getObjectText(key: string): Promise<string> {
    try {
      return await readFile(pathOf(key), 'utf8');
    } catch (error) {
      throw storeError(key, root, error, 'reading');
    }
  }

  async function* listKeys(prefix: string): AsyncIterable<string> {
    // parentPath is Node >= 20.12; `path` is its older name (engines allow 20.11).
    let entries: { name: string; parentPath?: string; path?: string; isFile(): boolean }[];
    try {
      entries = await readdir(root, { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw storeError(prefix, root, error, 'reading');
    }
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const dir = entry.parentPath ?? entry.path ?? root;
      const key = [...relative(root, dir).split(sep).filter(Boolean), entry.name].join('/');
      // Temp files of uploads in progress (hidden names) are not objects.
      if (key.startsWith(prefix) && !localKeyProblem(key)) yield key;
    }
  }

  async function presignGet(key: string, options: { ttlSeconds: number; filename?: string }) {
    return createDownloadLink(publicUrl, signingKey, key, { ...options, nowMs: now() });
  }

  async function openObject(key: string): Promise<OpenedObject | undefined> {
    if (localKeyProblem(key) !== undefined) return undefined;
    const path = pathOf(key);
    let handle: FileHandle | undefined;
    try {
      // No symlinks: neither the file itself (O_NOFOLLOW) nor a directory on the way may lead out of the root.
      const [realRoot, realDir] = await Promise.all([realpath(root), realpath(dirname(path))]);
      if (!isInside(realDir, realRoot)) return undefined;
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        return undefined;
      }
      return { handle, size: info.size };
    } catch (error) {
      await handle?.close().catch(() => undefined);
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
      throw error;
    }
  }

  return {
    kind: 'local',
    root,
    uploadFile,
    putObject,
    headObject,
    getObjectText,
    listKeys,
    presignGet,
    checkLink: (request) => verifyLink(signingKey, request, now()),
    openObject,
  };
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Makes a rename durable: without it a crash could lose the directory entry of a finished object. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function storeError(key: string, root: string, error: unknown, action = 'storing'): AppError {
  if (error instanceof AppError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AppError('DISK_FULL', `no space left in the artifact directory ${root} for ${key}`, {
      cause: error,
    });
  }
  const detail = error instanceof Error ? `: ${error.message}`.slice(0, 300) : '';
  return new AppError('UPLOAD_FAILED', `${action} ${key} in ${root} failed${detail}`, { cause: error });
}
