import { AppError } from '../src/domain/errors.ts';

/** What the pipeline checks of a pulled image: its digest, architecture and labels. */
export interface ImageFacts {
  digest: string;
  /** OCI architecture name (amd64, arm64...). */
  architecture: string;
  labels: Record<string, string>;
}

/** `podman image inspect --format json` answers an array with one object per image. */
export function parseImageInspect(stdout: string, ref: string): ImageFacts {
  const rows: unknown = JSON.parse(stdout.trim() || '[]');
  const row = Array.isArray(rows) ? (rows[0] as Record<string, unknown> | undefined) : undefined;
  if (!row) throw new AppError('IMAGE_NOT_FOUND', `image not found in local storage: ${ref}`);
  const config = (row.Config ?? {}) as Record<string, unknown>;
  const rawLabels = (row.Labels ?? config.Labels ?? {}) as Record<string, unknown>;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawLabels ?? {})) if (typeof v === 'string') labels[k] = v;
  return {
    digest: typeof row.Digest === 'string' ? row.Digest : '',
    architecture: typeof row.Architecture === 'string' ? row.Architecture : '',
    labels,
  };
}
