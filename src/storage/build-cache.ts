import { z } from 'zod';
import type { IdenticalBuildInputs } from '../domain/identical-build.ts';
import { type ImageType, isImageType } from '../domain/image-types.ts';
import { type Artifact, isTrustRole, TRUST_ROLES } from '../queue/build-job.ts';
import type { ArtifactStore } from './artifact-store.ts';

/**
 * The identical-build cache lives in the artifact store itself: `cache/<key>.json` points at the manifest of the
 * build that produced the ISO. Keeping the index next to the artifacts (rather than in Redis) means it survives the
 * loss of everything but storage without a rebuild step, and an entry can never outlive the check of its artifact:
 * every hit is verified against the manifest and the ISO object before it is used.
 */
export const cacheEntryKey = (key: string) => `cache/${key}.json`;

const CacheEntry = z.object({
  schemaVersion: z.literal(1),
  key: z.string(),
  buildId: z.string(),
  manifestKey: z.string(),
});

/** The part of a build's manifest.json a cache hit needs (the manifest is written last, after every artifact). */
const ManifestForReuse = z.object({
  buildId: z.string(),
  /** Recorded by every build since the cache exists; an entry pointing at a manifest of another key is a miss. */
  identicalBuildKey: z.string().optional(),
  /** Each type's own key (manifests of builds of several types); an entry may name any of them. */
  identicalBuildKeys: z.record(z.string(), z.string()).optional(),
  iso: z.object({ key: z.string(), size: z.number(), sha256: z.string(), filename: z.string() }),
  log: z.object({ key: z.string() }),
  /** Every artifact (manifests from schema version 2 on); `iso` above is the first image of them. */
  artifacts: z
    .array(
      z.object({
        role: z.enum(['image', 'log', ...TRUST_ROLES]),
        type: z.custom<Artifact['type']>(
          (v) => typeof v === 'string' && (v === 'log' || isTrustRole(v) || isImageType(v)),
        ),
        key: z.string(),
        filename: z.string(),
        size: z.number(),
        sha256: z.string(),
      }),
    )
    .optional(),
  /** The boot test the build ran on its ISO, if any. */
  bootTest: z.object({ passed: z.boolean() }).optional(),
  finishedAt: z.string(),
});

export interface CachedBuild {
  buildId: string;
  manifestKey: string;
  iso: { key: string; size: number; sha256: string; filename: string };
  logKey: string;
  /** The earlier build's artifacts, when its manifest lists them. */
  artifacts?: Artifact[];
  finishedAt: string;
}

export type CacheLookup =
  | { hit: true; build: CachedBuild }
  | {
      hit: false;
      why:
        | 'no-entry'
        | 'manifest-missing'
        | 'iso-missing'
        | 'iso-size-differs'
        | 'unreadable'
        | 'not-boot-tested';
    };

/** The object's JSON, or undefined when it cannot be read (missing, or the store unreachable: a miss either way). */
async function readJson(store: ArtifactStore, key: string): Promise<{ json: unknown } | undefined> {
  let text: string;
  try {
    text = await store.getObjectText(key);
  } catch {
    return undefined;
  }
  try {
    return { json: JSON.parse(text) as unknown };
  } catch {
    return { json: undefined };
  }
}

/**
 * Looks `key` up and verifies what the entry points at: the manifest parses and names this key's build, and the ISO
 * object exists with the size the manifest recorded. Anything else is a miss, never an error: a stale or damaged
 * entry costs a build, not a wrong answer. Three requests: entry, manifest, HEAD of the ISO.
 */
export async function findCachedBuild(
  store: ArtifactStore,
  key: string,
  /** The type the key stands for: its image is the one checked (the first image when not given). */
  type?: ImageType,
  /**
   * The asking build boots its ISO before publishing it: only an earlier build whose boot test passed may answer,
   * or a request for a tested ISO would get an untested one (the boot test is not part of the key).
   */
  options: { bootTested?: boolean } = {},
): Promise<CacheLookup> {
  const entryRead = await readJson(store, cacheEntryKey(key));
  if (!entryRead) return { hit: false, why: 'no-entry' };
  const entry = CacheEntry.safeParse(entryRead.json);
  if (!entry.success || entry.data.key !== key) return { hit: false, why: 'unreadable' };
  const manifestRead = await readJson(store, entry.data.manifestKey);
  if (!manifestRead) return { hit: false, why: 'manifest-missing' };
  const manifest = ManifestForReuse.safeParse(manifestRead.json);
  if (!manifest.success) return { hit: false, why: 'unreadable' };
  const m = manifest.data;
  const keys = [m.identicalBuildKey, ...Object.values(m.identicalBuildKeys ?? {})];
  if (m.identicalBuildKey !== undefined && !keys.includes(key)) return { hit: false, why: 'unreadable' };
  if (options.bootTested && m.bootTest?.passed !== true) return { hit: false, why: 'not-boot-tested' };
  const typed = type ? m.artifacts?.find((a) => a.role === 'image' && a.type === type) : undefined;
  if (type && m.artifacts && !typed) return { hit: false, why: 'iso-missing' };
  const image = typed ?? m.iso;
  const head = await store.headObject(image.key);
  if (!head) return { hit: false, why: 'iso-missing' };
  if (head.size !== image.size) return { hit: false, why: 'iso-size-differs' };
  return {
    hit: true,
    build: {
      buildId: m.buildId,
      manifestKey: entry.data.manifestKey,
      iso: m.iso,
      logKey: m.log.key,
      ...(m.artifacts ? { artifacts: m.artifacts } : {}),
      finishedAt: m.finishedAt,
    },
  };
}

/** Written after the build's manifest, so an entry only ever points at a complete set of artifacts. */
export async function recordCachedBuild(
  store: ArtifactStore,
  /** `inputs` are informational (for people reading the bucket); the index rebuilt from manifests has none. */
  entry: { key: string; buildId: string; manifestKey: string; inputs?: IdenticalBuildInputs },
): Promise<void> {
  const body = { schemaVersion: 1, ...entry, recordedAt: new Date().toISOString() };
  await store.putObject(cacheEntryKey(entry.key), `${JSON.stringify(body, null, 2)}\n`, 'application/json');
}
