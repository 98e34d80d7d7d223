import { packagesContainerfile } from './containerfile.ts';
import type { ImageType } from './image-types.ts';

/** The part of a configured preset that fills in a request (the config's preset, with its Containerfile read). */
export interface PresetRecipe {
  image: string;
  /** Image types built when the request names none. */
  types?: readonly ImageType[] | undefined;
  /** The text of the preset's Containerfile (the config names a file; whoever reads the config reads it). */
  containerfileText?: string | undefined;
  /** Packages added with `dnf install`: a derived image when there is no Containerfile. */
  packages?: readonly string[] | undefined;
}

/** What the person asked for; empty means "whatever the preset says". */
export interface ChosenFields {
  types: readonly ImageType[];
  containerfile?: string | undefined;
}

export interface PresetFields {
  type: ImageType;
  /** Every type when there are several (`type` first). */
  types?: ImageType[];
  containerfile?: string;
}

/** Used when neither the person nor the preset names a type. */
export const DEFAULT_IMAGE_TYPE: ImageType = 'iso';

/**
 * The request fields a preset fills in, the same for every front end (CLI and Slack): its image types when the
 * person chose none (else iso), and its derived image when the person gave no Containerfile of their own: the
 * preset's Containerfile, or the one its package list stands for (FROM the preset's image). Pass no preset when the
 * preset does not give the source (a typed image): its recipe is built on its own image.
 */
export function applyPresetDefaults(chosen: ChosenFields, preset: PresetRecipe | undefined): PresetFields {
  // As given: a type asked for twice is the validator's to refuse, not this function's to hide.
  const types = [...(chosen.types.length > 0 ? chosen.types : (preset?.types ?? []))];
  const [type = DEFAULT_IMAGE_TYPE] = types;
  const out: PresetFields = { type, ...(types.length > 1 ? { types } : {}) };
  const containerfile =
    chosen.containerfile ??
    preset?.containerfileText ??
    (preset?.packages?.length ? packagesContainerfile(preset.image, preset.packages) : undefined);
  if (containerfile !== undefined) out.containerfile = containerfile;
  return out;
}

/**
 * Whether a request's Containerfile is the person's own rather than its preset's: only an own Containerfile needs
 * the permission to supply one (a preset's was written by an operator).
 */
export function isOwnContainerfile(
  request: { containerfile?: string | undefined },
  preset: PresetRecipe | undefined,
): boolean {
  if (request.containerfile === undefined) return false;
  if (!preset) return true;
  return applyPresetDefaults({ types: [] }, preset).containerfile !== request.containerfile;
}
