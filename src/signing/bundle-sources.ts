import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import type { LocalStore } from '../storage/local-store.ts';
import { sha256OfFile } from './checksums.ts';
import type { BundleSource } from './verify-bundle.ts';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function readIfThere(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** A directory the build's files were downloaded into, under their published names. */
export function directorySource(dir: string): BundleSource {
  return {
    read: (name) => readIfThere(join(dir, name)),
    sha256: async (name) => {
      try {
        return await sha256OfFile(join(dir, name));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
  };
}

/** Local copies of some artifacts (matched by file name); everything else comes from `rest`. */
export function withLocalFiles(paths: string[], rest: BundleSource): BundleSource {
  const byName = new Map(paths.map((path) => [basename(path), path]));
  return {
    read: (name) => {
      const path = byName.get(name);
      return path ? readIfThere(path) : rest.read(name);
    },
    sha256: async (name) => {
      const path = byName.get(name);
      return path ? sha256OfFile(path) : rest.sha256(name);
    },
  };
}

/** Object keys of a build's files: next to its ISO, under `builds/<id>/`. */
export const buildObjectKey = (buildId: string, name: string) => `builds/${buildId}/${name}`;

const isLocalStore = (store: ArtifactStore): store is LocalStore =>
  (store as Partial<LocalStore>).kind === 'local';

/**
 * Object keys by published file name, from the `artifacts` list of the build's manifest.json (role, key, filename,
 * ...) when it has one; names it does not list are looked for under `builds/<id>/<name>`. The manifest is not
 * signed and need not be: it only says where to look, and what is found must still match the signed checksums.
 * Keys outside `builds/` are ignored (a reused build lists the objects of the build it reuses).
 */
async function keysFromManifest(store: ArtifactStore, buildId: string): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  const manifestKey = buildObjectKey(buildId, 'manifest.json');
  if (!(await store.headObject(manifestKey))) return keys;
  let manifest: unknown;
  try {
    manifest = JSON.parse(await store.getObjectText(manifestKey));
  } catch {
    return keys;
  }
  const artifacts = (manifest as { artifacts?: unknown } | null)?.artifacts;
  if (!Array.isArray(artifacts)) return keys;
  for (const a of artifacts as { key?: unknown; filename?: unknown }[]) {
    if (typeof a?.key === 'string' && typeof a.filename === 'string' && a.key.startsWith('builds/')) {
      keys.set(a.filename, a.key);
    }
  }
  return keys;
}

/**
 * A build's files in the artifact store. Artifacts are hashed as they stream: straight from the directory for the
 * local store, through a short-lived download link for S3 (the same path a user's download takes).
 */
export function storeSource(
  store: ArtifactStore,
  buildId: string,
  fetchImpl: typeof fetch = fetch,
): BundleSource {
  let listed: Promise<Map<string, string>> | undefined;
  const keyOf = async (name: string) => {
    listed ??= keysFromManifest(store, buildId);
    return (await listed).get(name) ?? buildObjectKey(buildId, name);
  };
  return {
    read: async (name) => {
      const key = await keyOf(name);
      return (await store.headObject(key)) ? Buffer.from(await store.getObjectText(key), 'utf8') : undefined;
    },
    sha256: async (name) => {
      const key = await keyOf(name);
      const hash = createHash('sha256');
      if (isLocalStore(store)) {
        const opened = await store.openObject(key);
        if (!opened) return undefined;
        try {
          for await (const chunk of opened.handle.createReadStream({ autoClose: false }))
            hash.update(chunk as Buffer);
        } finally {
          await opened.handle.close();
        }
        return hash.digest('hex');
      }
      if (!(await store.headObject(key))) return undefined;
      const { url } = await store.presignGet(key, { ttlSeconds: 900 });
      const response = await fetchImpl(url);
      if (!response.ok || !response.body)
        throw new Error(`downloading ${name} failed: HTTP ${response.status}`);
      for await (const chunk of response.body) hash.update(chunk);
      return hash.digest('hex');
    },
  };
}
