import { AppError } from '../domain/errors.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { reindexBuildCache } from '../storage/reindex-build-cache.ts';
import type { Output } from './follow-build.ts';
import { parseOpsArgs, usageError } from './ops-args.ts';

export const CACHE_USAGE = `usage: bootc-iso cache reindex [--json]

  Rebuilds the identical-build index (cache/<key>.json in the artifact store) from the manifest.json stored next to
  every build, for when entries were lost: for each key the newest build whose ISO is still there is recorded.
  Builds answered from an identical build, and builds from before the index existed, are skipped.
  --json   the report as JSON`;

/** `bootc-iso cache reindex`: exit code 0. */
export async function runCacheCommand(
  argv: string[],
  deps: { store: ArtifactStore | undefined; out: Output },
): Promise<number> {
  const { values, positionals } = parseOpsArgs(argv, { json: { type: 'boolean' } }, CACHE_USAGE);
  if (positionals[0] !== 'reindex' || positionals.length > 1)
    throw usageError(
      positionals.length ? `unknown cache command "${positionals.join(' ')}"` : 'say what to do: reindex',
      CACHE_USAGE,
    );
  if (!deps.store)
    throw new AppError(
      'CONFIG_INVALID',
      'no artifact store is configured: set S3_BUCKET (or ARTIFACT_DIR on a single host) as the workers have it',
    );
  const report = await reindexBuildCache(deps.store);
  deps.out.write(
    values.json
      ? `${JSON.stringify(report)}\n`
      : `manifests read ${report.manifests}; cache entries written ${report.written}, already current ${report.current}; skipped ${report.skipped}\n`,
  );
  return 0;
}
