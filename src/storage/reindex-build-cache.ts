import { z } from 'zod';
import type { ArtifactStore } from './artifact-store.ts';
import { findCachedBuild, recordCachedBuild } from './build-cache.ts';

/** What a manifest must hold to be an identical-build candidate (older manifests have no key and are skipped). */
const KeyedManifest = z.object({
  buildId: z.string(),
  identicalBuildKey: z.string().regex(/^[0-9a-f]{64}$/),
  /** Each type's own key (builds of several types): the index answers per type. */
  identicalBuildKeys: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)).optional(),
  reusedFrom: z.unknown().optional(),
  iso: z.object({ key: z.string(), size: z.number() }),
  finishedAt: z.string(),
});
type KeyedManifest = z.infer<typeof KeyedManifest>;

export interface ReindexReport {
  manifests: number;
  /** Keys whose entry was missing, stale or older than a build found, and was (re)written. */
  written: number;
  /** Keys whose entry already pointed at their newest complete build. */
  current: number;
  /** Manifests that are no candidate: no key (older builds), answered from another build, unreadable, ISO gone. */
  skipped: number;
}

/**
 * Rebuilds the identical-build index (`cache/<key>.json`) from the manifests stored next to every build's artifacts,
 * for when entries were lost or never written (a best-effort write that failed, a bucket restored without `cache/`).
 * For each key the newest build whose ISO is still there wins, as it does when builds record themselves.
 */
export async function reindexBuildCache(store: ArtifactStore): Promise<ReindexReport> {
  const report: ReindexReport = { manifests: 0, written: 0, current: 0, skipped: 0 };
  const newest = new Map<string, { manifest: KeyedManifest; manifestKey: string }>();
  for await (const key of store.listKeys('builds/')) {
    if (!key.endsWith('/manifest.json')) continue;
    report.manifests += 1;
    const manifest = await readManifest(store, key);
    // A reused build's manifest points at another build's ISO: that build's own manifest is the candidate.
    if (!manifest || manifest.reusedFrom !== undefined) {
      report.skipped += 1;
      continue;
    }
    const iso = await store.headObject(manifest.iso.key);
    if (!iso || iso.size !== manifest.iso.size) {
      report.skipped += 1;
      continue;
    }
    const keys = manifest.identicalBuildKeys
      ? Object.values(manifest.identicalBuildKeys)
      : [manifest.identicalBuildKey];
    for (const k of keys) {
      const seen = newest.get(k);
      if (seen) report.skipped += 1;
      if (!seen || seen.manifest.finishedAt < manifest.finishedAt)
        newest.set(k, { manifest, manifestKey: key });
    }
  }
  for (const [key, { manifest, manifestKey }] of newest) {
    const existing = await findCachedBuild(store, key);
    if (existing.hit && existing.build.finishedAt >= manifest.finishedAt) {
      report.current += 1;
      continue;
    }
    await recordCachedBuild(store, { key, buildId: manifest.buildId, manifestKey });
    report.written += 1;
  }
  return report;
}

async function readManifest(store: ArtifactStore, key: string): Promise<KeyedManifest | undefined> {
  try {
    const parsed = KeyedManifest.safeParse(JSON.parse(await store.getObjectText(key)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
