import { BuildRequest, LIMITS, type Requester } from './build-request.ts';
import { containerfileProblems } from './containerfile.ts';
import { AppError } from './errors.ts';
import { formatImageRef, type ImageRef, parseImageRef } from './image-ref.ts';
import { requestedTypes } from './image-runs.ts';
import { labelFor, zodIssuesToErrors } from './request-fields.ts';
import { collect, invalidRequest, quoteForMessage, singleLineProblem } from './text-rules.ts';
import { builderFeatures, checkBuilderSupport } from './validate-builder-support.ts';
import { checkCustomizations } from './validate-customizations.ts';
import { checkDiskCustomizations } from './validate-disk-customizations.ts';
import { checkImageTypes } from './validate-image-types.ts';

/** What an operator allows; comes from config, never from the request. */
export interface BuildPolicy {
  /** host[:port] entries; the host part is matched case-insensitively, the port exactly. */
  allowedRegistries: string[];
  /** Each builder's image and the features it declares beyond the shipped baseline (validate-builder-support.ts). */
  builders: Record<string, { image: string; features?: readonly string[] }>;
}

type Report = (error: AppError) => void;

const SLACK_ID = /^[A-Z0-9]{2,}$/;

function checkRegistry(
  ref: ImageRef,
  field: string,
  label: string,
  policy: BuildPolicy,
  report: Report,
): void {
  const allowed = policy.allowedRegistries.map((r) => r.toLowerCase());
  if (allowed.includes(ref.registry)) return;
  const list = allowed.length > 0 ? allowed.join(', ') : 'none configured';
  report(
    new AppError(
      'REGISTRY_NOT_ALLOWED',
      `${label}: registry ${ref.registry} is not allowed; allowed: ${list} (an operator can add it to the allowed registries)`,
      { field },
    ),
  );
}

/**
 * An image bootc-image-builder reads (source, installer payload) must be in local storage under its tag: podman
 * stores an image pulled as `name:tag@digest` without the tag, and BIB then refuses it as untagged
 * (ValidateHasContainerTags). The build manifest records the digest that was built.
 */
function digestProblem(ref: ImageRef, value: string, label: string): string {
  const tagged = `${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`;
  return `${label} ${quoteForMessage(value)} pins a digest, but bootc-image-builder needs the image by tag (podman keeps a tag@digest pull untagged); use ${quoteForMessage(tagged, 120)}: the build manifest records the digest`;
}

/**
 * Parses a reference and checks its registry; returns the parsed form, or undefined after reporting. `requireTag`
 * marks the images BIB itself reads, which must be tagged and carry no digest.
 */
function checkRef(
  value: string,
  field: string,
  policy: BuildPolicy,
  report: Report,
  requireTag = true,
): ImageRef | undefined {
  const label = labelFor(field);
  let ref: ImageRef | undefined;
  collect(report, () => {
    const parsed = parseImageRef(value, { field, label, requireTag: false });
    if (requireTag && parsed.digest !== undefined)
      throw invalidRequest(field, digestProblem(parsed, value, label));
    ref = requireTag ? parseImageRef(value, { field, label, requireTag }) : parsed;
  });
  if (ref) checkRegistry(ref, field, label, policy, report);
  return ref;
}

function normalisedOrRaw(image: string): string {
  try {
    return formatImageRef(parseImageRef(image, { requireTag: false }));
  } catch {
    return image;
  }
}

function checkBuilder(req: BuildRequest, policy: BuildPolicy, report: Report): BuildRequest['builder'] {
  const { name, image } = req.builder;
  const configured = Object.hasOwn(policy.builders, name) ? policy.builders[name] : undefined;
  if (!configured) {
    const names = Object.keys(policy.builders);
    const choose = names.length > 0 ? names.join(', ') : '(none configured)';
    report(
      invalidRequest('builder', `builder: unknown builder ${quoteForMessage(name, 40)}; choose ${choose}`),
    );
    return req.builder;
  }
  // A builder may be pinned by digest alone: BIB's tag rule is about the source image, not the builder.
  const ref = checkRef(image, 'builder.image', policy, report, false);
  if (!ref) return req.builder;
  const normalised = formatImageRef(ref);
  if (ref.tag === undefined && ref.digest === undefined) {
    const msg = `builder image: ${quoteForMessage(image)} has neither tag nor digest; pin one, e.g. ${normalised}:latest`;
    report(invalidRequest('builder.image', msg));
  } else if (normalised !== normalisedOrRaw(configured.image)) {
    report(
      invalidRequest(
        'builder.image',
        `builder image: ${quoteForMessage(image)} is not the image configured for builder "${name}"; pick the builder by name and let the bot fill in its image`,
      ),
    );
  }
  return { name, image: normalised };
}

function checkInstallerPayload(req: BuildRequest, policy: BuildPolicy, report: Report): string | undefined {
  const field = 'installerPayloadRef';
  const types = requestedTypes(req);
  if (types.includes('bootc-installer')) {
    if (req.installerPayloadRef === undefined) {
      report(
        invalidRequest(
          field,
          'installer payload image is required for bootc-installer: give the bootc image to install, e.g. registry.example.com/org/image:tag',
        ),
      );
      return undefined;
    }
    const ref = checkRef(req.installerPayloadRef, field, policy, report);
    return ref ? formatImageRef(ref) : req.installerPayloadRef;
  }
  if (req.installerPayloadRef !== undefined) {
    report(
      invalidRequest(
        field,
        `installer payload image is only used with bootc-installer; remove it, or choose type bootc-installer (this request is ${types.join(', ')})`,
      ),
    );
  }
  return req.installerPayloadRef;
}

function checkRequester(requester: Requester, report: Report): void {
  const fields: [string, string | undefined, boolean][] =
    requester.kind === 'slack'
      ? [
          ['requester.userId', requester.userId, true],
          ['requester.channelId', requester.channelId, true],
          ['requester.teamId', requester.teamId, true],
        ]
      : [['requester.user', requester.user, false]];
  for (const [field, value, slackId] of fields) {
    if (value === undefined) continue;
    const label = labelFor(field);
    const basic = singleLineProblem(value, label, LIMITS.requesterField);
    if (basic) report(invalidRequest(field, basic));
    else if (value === '') report(invalidRequest(field, `${label} is empty`));
    else if (slackId && !SLACK_ID.test(value)) {
      report(
        invalidRequest(
          field,
          `${label}: ${quoteForMessage(value, 40)} is not a Slack id (uppercase letters and digits, e.g. U024BE7LH)`,
        ),
      );
    }
  }
}

function checkRequest(input: unknown, policy: BuildPolicy, report: Report): BuildRequest | undefined {
  const parsed = BuildRequest.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    for (const error of zodIssuesToErrors(parsed.error.issues)) report(error);
    return undefined;
  }
  const req = parsed.data;
  const sourceRef = checkRef(req.source, 'source', policy, report);
  const source = sourceRef ? formatImageRef(sourceRef) : req.source;
  const builder = checkBuilder(req, policy, report);
  const installerPayloadRef = checkInstallerPayload(req, policy, report);
  if (req.preset !== undefined) {
    const p = singleLineProblem(req.preset, 'preset', LIMITS.preset);
    if (p) report(invalidRequest('preset', p));
  }
  checkRequester(req.requester, report);
  checkImageTypes(req, report);
  checkDiskCustomizations(req, report);
  if (req.containerfile !== undefined)
    for (const p of containerfileProblems(req.containerfile, source))
      report(invalidRequest('containerfile', p));
  const features = builderFeatures(policy.builders, req.builder.name);
  const customizations = checkCustomizations(req.customizations, report, {
    yescrypt: features?.has('yescrypt') === true,
  });
  const out: BuildRequest = { ...req, source, builder, customizations };
  checkBuilderSupport(out, features, report);
  if (installerPayloadRef !== undefined) out.installerPayloadRef = installerPayloadRef;
  return out;
}

/**
 * Every problem with a request, one entry per field problem, for forms that show errors next to each field.
 * Shape problems (wrong types, unknown fields, sizes) are reported alone: the content rules need a well-formed request.
 */
export function collectBuildRequestErrors(
  input: unknown,
  policy: BuildPolicy,
): { field: string; message: string }[] {
  const errors: AppError[] = [];
  checkRequest(input, policy, (e) => errors.push(e));
  return errors.map((e) => ({ field: e.field ?? 'request', message: e.message }));
}

/**
 * Parses and checks a build request against the policy; throws the first problem as an AppError (INVALID_REQUEST or
 * REGISTRY_NOT_ALLOWED) with `field` set. Returns the normalised request: registry hosts lowercased, kickstart line
 * endings normalised, SSH keys trimmed.
 */
export function validateBuildRequest(input: unknown, policy: BuildPolicy): BuildRequest {
  const errors: AppError[] = [];
  const req = checkRequest(input, policy, (e) => errors.push(e));
  const [first] = errors;
  if (first) throw first;
  if (!req) throw invalidRequest('request', 'build request is invalid');
  return req;
}
