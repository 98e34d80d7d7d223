import { readFile } from 'node:fs/promises';
import type { Config } from '../config/load-config.ts';
import type { PresetRecipe } from '../domain/preset-defaults.ts';

/** Each preset's Containerfile as read at start, or why it could not be read. */
export type PresetContainerfiles = Record<string, { text: string } | { problem: string }>;

/**
 * Reads the Containerfiles the presets name, once, when the bot starts (like the config itself): a submission then
 * needs no file access before its 3-second ack. A file that cannot be read is kept as a problem, which a submission
 * with that preset is told about.
 */
export async function readPresetContainerfiles(
  presets: Config['presets'],
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<PresetContainerfiles> {
  const out: PresetContainerfiles = {};
  for (const [name, preset] of Object.entries(presets)) {
    if (preset.containerfile === undefined) continue;
    try {
      out[name] = { text: await read(preset.containerfile) };
    } catch (error) {
      out[name] = {
        problem: `${preset.containerfile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      };
    }
  }
  return out;
}

/**
 * A preset as applyPresetDefaults takes it, with its Containerfile text; `problem` says why a Containerfile the
 * preset names is missing.
 */
export function presetRecipe(
  presets: Config['presets'],
  name: string | undefined,
  containerfiles: PresetContainerfiles | undefined,
): { recipe?: PresetRecipe; problem?: string } {
  if (name === undefined || !Object.hasOwn(presets, name)) return {};
  const preset = presets[name];
  if (!preset) return {};
  if (preset.containerfile === undefined) return { recipe: preset };
  const loaded = Object.hasOwn(containerfiles ?? {}, name) ? containerfiles?.[name] : undefined;
  if (loaded && 'text' in loaded) return { recipe: { ...preset, containerfileText: loaded.text } };
  return { recipe: preset, problem: loaded?.problem ?? `${preset.containerfile}: not read` };
}
