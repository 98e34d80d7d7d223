import { checkConfigImageRef } from './check-image-ref.ts';
import type { ConfigFile } from './file-schema.ts';
import { formatPath } from './format-issues.ts';

/** The sections that parsed; a rule runs only when every section it needs did. */
export type ParsedSections = { [K in keyof ConfigFile]?: ConfigFile[K] | undefined };

/** Rules across sections. Each problem is `path: what is wrong; how to fix it` (the caller adds the file). */
export function checkRules(file: ParsedSections): string[] {
  const problems: string[] = [];
  const { builders, presets, defaultBuilder, allowedRegistries } = file;
  const report = (path: PropertyKey[], text: string) => problems.push(`${formatPath(path)}: ${text}`);

  if (builders) {
    const names = Object.keys(builders);
    const known = names.length > 0 ? `the builders (${names.join(', ')})` : 'any builder (builders is empty)';
    if (defaultBuilder !== undefined && !Object.hasOwn(builders, defaultBuilder)) {
      report(
        ['defaultBuilder'],
        `"${defaultBuilder}" is not one of ${known}; name one of them or add it under builders`,
      );
    }
    for (const [name, preset] of Object.entries(presets ?? {})) {
      if (!Object.hasOwn(builders, preset.builder)) {
        report(
          ['presets', name, 'builder'],
          `"${preset.builder}" is not one of ${known}; name one of them or add "${preset.builder}" under builders`,
        );
      }
    }
  }

  // A derived image comes from one recipe: a Containerfile, or a package list that stands for one.
  for (const [name, preset] of Object.entries(presets ?? {})) {
    if (preset.containerfile !== undefined && preset.packages?.length)
      report(
        ['presets', name],
        'has both containerfile and packages; keep one (add the packages to the Containerfile)',
      );
  }

  if (allowedRegistries) {
    const allowed = new Set(allowedRegistries);
    const checkAllowed = (path: PropertyKey[], image: string, kind: 'source' | 'builder') => {
      const ref = checkConfigImageRef(image, kind);
      if (ref.ok && !allowed.has(ref.registry)) {
        report(
          path,
          `"${image}" is on ${ref.registry}, which is not in allowedRegistries (${allowedRegistries.join(', ')}); ` +
            `add ${ref.registry} to allowedRegistries or use an image from an allowed registry`,
        );
      }
    };
    for (const [name, builder] of Object.entries(builders ?? {}))
      checkAllowed(['builders', name, 'image'], builder.image, 'builder');
    for (const [name, preset] of Object.entries(presets ?? {}))
      checkAllowed(['presets', name, 'image'], preset.image, 'source');
  }
  return problems;
}
