import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../src/local/open-local-store.ts';
import { loadSigningKey, SIGNING_KEY_FILE } from '../../src/local/signing-key.ts';
import { createLocalStore, type LocalStore } from '../../src/storage/local-store.ts';

let dir: string;
let store: LocalStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-store-'));
  store = await openLocalStore({
    dataDir: join(dir, 'data'),
    artifactDir: join(dir, 'artifacts'),
    artifactDirSet: true,
    publicUrl: 'http://127.0.0.1:9',
  });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function randomFile(
  name: string,
  size: number,
): Promise<{ path: string; sha256: string; bytes: Buffer }> {
  const bytes = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Bytes this process has read through read(2) and friends so far (Linux). */
async function bytesRead(): Promise<number> {
  const io = await readFile('/proc/self/io', 'utf8');
  return Number(/^rchar: (\d+)$/m.exec(io)?.[1] ?? Number.NaN);
}

/** Every file under `root`, relative, including hidden temp files. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

describe('the local artifact store', () => {
  it('stores a file under its key and reports the sha256 of the bytes, reading the file once', async () => {
    const size = 48 * 1024 * 1024 + 4321;
    const file = await randomFile('one-pass.iso', size);
    const progress: number[] = [];
    const before = await bytesRead();
    const uploaded = await store.uploadFile('builds/t1/install.iso', file.path, {
      contentType: 'application/x-iso9660-image',
      onProgress: (loaded) => progress.push(loaded),
    });
    const read = (await bytesRead()) - before;
    expect(uploaded).toEqual({ key: 'builds/t1/install.iso', size, sha256: file.sha256 });
    // One pass: the hash is computed on the way to the temp file, not by reading the file (or the copy) again.
    expect(read).toBeGreaterThanOrEqual(size);
    expect(read).toBeLessThan(size * 1.25);
    expect(progress.at(-1)).toBe(size);
    const stored = await readFile(join(store.root, 'builds', 't1', 'install.iso'));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(file.sha256);
    expect(await store.headObject('builds/t1/install.iso')).toEqual({ size });
    expect(await filesUnder(store.root)).toEqual(['builds/t1/install.iso']);
  });

  it('never shows a half-written object: a watcher sees nothing or all of it', async () => {
    const size = 32 * 1024 * 1024;
    const file = await randomFile('watched.iso', size);
    const seen = new Set<number>();
    let done = false;
    const watch = (async () => {
      while (!done) {
        const head = await store.headObject('builds/t2/install.iso');
        seen.add(head?.size ?? -1);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await store.uploadFile('builds/t2/install.iso', file.path, {
      contentType: 'application/x-iso9660-image',
    });
    done = true;
    await watch;
    for (const value of seen) expect([-1, size]).toContain(value);
  });

  it('leaves no object and no temp file when an upload is aborted, and keeps the previous object', async () => {
    await store.putObject('builds/t3/install.iso', 'the earlier ISO', 'application/x-iso9660-image');
    const file = await randomFile('aborted.iso', 32 * 1024 * 1024);
    const controller = new AbortController();
    const upload = store.uploadFile('builds/t3/install.iso', file.path, {
      contentType: 'application/x-iso9660-image',
      signal: controller.signal,
      onProgress: (loaded) => {
        if (loaded >= 4 * 1024 * 1024) controller.abort();
      },
    });
    await expect(upload).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await store.getObjectText('builds/t3/install.iso')).toBe('the earlier ISO');

    const fresh = new AbortController();
    const second = store.uploadFile('builds/t4/install.iso', file.path, {
      contentType: 'application/x-iso9660-image',
      signal: fresh.signal,
      onProgress: () => fresh.abort(),
    });
    await expect(second).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await store.headObject('builds/t4/install.iso')).toBeUndefined();
    expect((await filesUnder(store.root)).filter((f) => f.includes('.part'))).toEqual([]);
  });

  it('leaves no object when the source cannot be read, with an upload error', async () => {
    const source = join(dir, 'a-directory');
    await mkdir(source);
    await expect(
      store.uploadFile('builds/t5/install.iso', source, { contentType: 'application/x-iso9660-image' }),
    ).rejects.toMatchObject({ code: 'UPLOAD_FAILED' });
    await expect(
      store.uploadFile('builds/t5/install.iso', join(dir, 'missing'), { contentType: 'text/plain' }),
    ).rejects.toMatchObject({ code: 'UPLOAD_FAILED' });
    expect(await store.headObject('builds/t5/install.iso')).toBeUndefined();
    expect((await filesUnder(store.root)).filter((f) => f.startsWith('builds/t5'))).toEqual([]);
  });

  it('puts, heads and reads small objects, and answers undefined for missing ones', async () => {
    const put = await store.putObject('builds/t6/manifest.json', '{"a":1}\n', 'application/json');
    expect(put).toEqual({
      key: 'builds/t6/manifest.json',
      size: 8,
      sha256: createHash('sha256').update('{"a":1}\n').digest('hex'),
    });
    expect(await store.getObjectText('builds/t6/manifest.json')).toBe('{"a":1}\n');
    expect(await store.headObject('builds/t6/manifest.json')).toEqual({ size: 8 });
    expect(await store.headObject('builds/none/manifest.json')).toBeUndefined();
    expect(await store.headObject('builds/t6')).toBeUndefined();
    await expect(store.getObjectText('builds/none/manifest.json')).rejects.toMatchObject({
      code: 'UPLOAD_FAILED',
    });
  });

  it('refuses keys that would leave its directory', async () => {
    for (const key of ['../escape.txt', '/etc/passwd', 'builds/../../x', 'a\0b']) {
      await expect(store.putObject(key, 'x', 'text/plain'), key).rejects.toThrow();
      await expect(store.presignGet(key, { ttlSeconds: 60 }), key).rejects.toThrow();
      expect(await store.openObject(key), key).toBeUndefined();
    }
    await expect(stat(join(dir, 'escape.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('signs links it can verify itself, against PUBLIC_URL', async () => {
    const { url } = await store.presignGet('builds/t6/manifest.json', { ttlSeconds: 60, filename: 'm.json' });
    expect(url.startsWith('http://127.0.0.1:9/downloads/builds/t6/manifest.json?expires=')).toBe(true);
    const query = new URL(url).searchParams;
    const request = {
      key: 'builds/t6/manifest.json',
      expires: query.get('expires'),
      sig: query.get('sig'),
      filename: query.get('filename'),
    };
    expect(store.checkLink(request)).toEqual({
      ok: true,
      key: 'builds/t6/manifest.json',
      filename: 'm.json',
    });
    const later = createLocalStore({
      root: store.root,
      publicUrl: 'http://127.0.0.1:9',
      signingKey: await loadSigningKey(join(dir, 'data')),
      now: () => Date.now() + 120_000,
    });
    expect(later.checkLink(request)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('the link-signing key', () => {
  it('is generated once, kept with mode 0600 and read back on the next start', async () => {
    const dataDir = join(dir, 'key-test');
    const [first, second] = await Promise.all([loadSigningKey(dataDir), loadSigningKey(dataDir)]);
    expect(first).toHaveLength(32);
    expect(second.equals(first)).toBe(true);
    expect((await loadSigningKey(dataDir)).equals(first)).toBe(true);
    const file = join(dataDir, SIGNING_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dataDir)).toEqual([SIGNING_KEY_FILE]);
  });

  it('comes from LINK_SIGNING_KEY when set, without touching the data directory', async () => {
    const dataDir = join(dir, 'key-env');
    const key = await loadSigningKey(dataDir, 'an-operator-chosen-key-of-32-chars-or-more');
    expect(key.toString()).toBe('an-operator-chosen-key-of-32-chars-or-more');
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is refused when other users can read it, or when it is not a key', async () => {
    const dataDir = join(dir, 'key-bad');
    await loadSigningKey(dataDir);
    const file = join(dataDir, SIGNING_KEY_FILE);
    await chmod(file, 0o644);
    await expect(loadSigningKey(dataDir)).rejects.toThrow(/readable by other users .*chmod 600/);
    await writeFile(file, 'not a key\n', { mode: 0o600 });
    await chmod(file, 0o600);
    await expect(loadSigningKey(dataDir)).rejects.toThrow(/not 64 hex digits/);
  });
});
