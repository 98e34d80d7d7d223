import type { BuildRequest } from './build-request.ts';
import type { AppError } from './errors.ts';
import { hasFamily, requestedTypes } from './image-runs.ts';
import { invalidRequest } from './text-rules.ts';

type Report = (error: AppError) => void;

/**
 * The list of types: `type` first, each once. Installer customizations (kickstart, Anaconda modules, the ISO label)
 * only reach ISO runs; with no ISO type asked for they would be dropped without a word, so they are refused.
 */
export function checkImageTypes(req: BuildRequest, report: Report): void {
  const types = req.types;
  if (types !== undefined) {
    if (types[0] !== req.type)
      report(invalidRequest('types', `image types: the list must start with type ${req.type}`));
    const twice = types.filter((t, i) => types.indexOf(t) !== i);
    if (twice.length > 0)
      report(invalidRequest('types', `image types: ${[...new Set(twice)].join(', ')} asked for twice`));
  }
  const all = requestedTypes(req);
  // The disk family takes no fips setting: a disk image would be made without it.
  if (req.customizations.fips && hasFamily(all, 'disk'))
    report(
      invalidRequest(
        'customizations.fips',
        `customizations.fips: FIPS mode is only set on ISO images; remove it, or ask for ISO types only (this request has ${all.join(', ')})`,
      ),
    );
  if (hasFamily(all, 'iso')) return;
  const c = req.customizations;
  const installerOnly: [string, boolean][] = [
    ['customizations.kickstart', c.kickstart !== undefined],
    ['customizations.anacondaModules', c.anacondaModules !== undefined],
    ['customizations.iso.volumeId', c.iso !== undefined],
  ];
  for (const [field, set] of installerOnly) {
    if (!set) continue;
    report(
      invalidRequest(
        field,
        `${field}: installer settings only apply to ISO images, and this request asks for disk images only (${all.join(', ')}); remove it, or add an ISO type`,
      ),
    );
  }
}
