import type { IsoType } from './build-request.ts';

/**
 * Where BIB writes the ISO under /output. All three ISO types share `bootiso/install.iso` ([bib] legacy_iso.go,
 * `filename := "install.iso"`); the name never reflects the image, so callers rename it when publishing.
 */
export const OUTPUT_PATHS: Record<IsoType, string> = {
  iso: 'bootiso/install.iso',
  'anaconda-iso': 'bootiso/install.iso',
  'bootc-installer': 'bootiso/install.iso',
};

export function outputPathFor(type: IsoType): string {
  return OUTPUT_PATHS[type];
}

/** The osbuild manifest BIB leaves beside the output: `manifest-<type>.json` for a single-type run. */
export function manifestFileFor(type: IsoType): string {
  return `manifest-${type}.json`;
}
