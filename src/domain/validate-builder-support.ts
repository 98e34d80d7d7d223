import type { BuildRequest } from './build-request.ts';
import type { AppError } from './errors.ts';
import { requestedTypes } from './image-runs.ts';
import { labelFor } from './request-fields.ts';
import { invalidRequest, quoteForMessage } from './text-rules.ts';

/**
 * Rules that depend on what the build's builder image can do, and on what the builder silently drops. Features are
 * declared per builder in the config (`builders.<name>.features`); a builder without a feature gets the baseline
 * every shipped bootc-image-builder has.
 */

export type Feature = 'iso-customizations' | 'bootc-installer' | 'yescrypt';

type Report = (error: AppError) => void;

function missingFeature(builder: string, feature: Feature, what: string): string {
  return `builder ${quoteForMessage(builder, 40)} does not declare the ${feature} feature, and ${what}; pick a builder that has it, or an operator can add ${feature} to builders.${builder}.features once its image supports it`;
}

function checkType(req: BuildRequest, features: ReadonlySet<string>, report: Report): void {
  if (!requestedTypes(req).includes('bootc-installer') || features.has('bootc-installer')) return;
  report(
    invalidRequest(
      'type',
      `ISO type: ${missingFeature(req.builder.name, 'bootc-installer', 'older bootc-image-builder images answer bootc-installer with "unsupported image type"')}; or choose iso`,
    ),
  );
}

function checkIsoSection(req: BuildRequest, features: ReadonlySet<string>, report: Report): void {
  if (!req.customizations.iso) return;
  const field = 'customizations.iso.volumeId';
  const label = labelFor(field);
  if (requestedTypes(req).includes('bootc-installer')) {
    report(
      invalidRequest(
        field,
        `${label}: bootc-installer ISOs ignore [customizations.iso], so the label would not be applied; leave it out, or choose iso`,
      ),
    );
  } else if (!features.has('iso-customizations')) {
    report(
      invalidRequest(
        field,
        `${label}: ${missingFeature(req.builder.name, 'iso-customizations', 'older bootc-image-builder images fail on [customizations.iso] with "unknown keys found"')}; or leave the label out to get the default one`,
      ),
    );
  }
}

/**
 * With a kickstart of the user's own, the builder writes no kickstart of its own, and the kernel arguments and the
 * root filesystem only ever go into that one: they would be dropped without a word. Both fields get the error.
 */
function checkKickstartDrops(req: BuildRequest, report: Report): void {
  if (req.customizations.kickstart === undefined) return;
  const dropped: { field: string; what: string; fix: string }[] = [];
  if (req.customizations.kernelAppend !== undefined)
    dropped.push({
      field: 'customizations.kernelAppend',
      what: 'kernel arguments',
      fix: 'a `bootloader --append="…"` line',
    });
  if (req.rootfs !== undefined)
    dropped.push({
      field: 'rootfs',
      what: 'root filesystem',
      fix: `\`--fstype=${req.rootfs}\` on your part or autopart line`,
    });
  for (const { field, what, fix } of dropped) {
    const why = `bootc-image-builder drops the ${what} when a kickstart is given (they only go into the kickstart it generates itself)`;
    report(invalidRequest(field, `${what}: ${why}; put ${fix} in your kickstart, or remove the kickstart`));
    report(
      invalidRequest(
        'customizations.kickstart',
        `kickstart: ${why}; put ${fix} in the kickstart and clear the ${what}, or remove the kickstart`,
      ),
    );
  }
}

/** The features of the named builder, or undefined when the policy does not know it (reported elsewhere). */
export function builderFeatures(
  builders: Record<string, { features?: readonly string[] }>,
  name: string,
): ReadonlySet<string> | undefined {
  if (!Object.hasOwn(builders, name)) return undefined;
  return new Set(builders[name]?.features ?? []);
}

/** Reports every request part the builder would refuse or silently drop; `features` undefined skips feature checks. */
export function checkBuilderSupport(
  req: BuildRequest,
  features: ReadonlySet<string> | undefined,
  report: Report,
): void {
  if (features) {
    checkType(req, features, report);
    checkIsoSection(req, features, report);
  }
  checkKickstartDrops(req, report);
}
