import { createHash } from 'node:crypto';
import { canonicalJson, configHash } from './bib-config.ts';
import type { BuildRequest } from './build-request.ts';
import type { ImageType } from './image-types.ts';

/** What makes two builds produce the same ISO: the exact images that went in and every input to the builder. */
export interface IdenticalBuildInputs {
  /** The reference, not only the digest: BIB writes it into the ISO as the image the installed system tracks. */
  sourceRef: string;
  sourceDigest: string;
  builderDigest: string;
  payloadRef?: string;
  payloadDigest?: string;
  /** One type: the cache answers per type, so a later request for a type already built reuses it. */
  type: ImageType;
  /** sha256 of the Containerfile a derived image was built from, and the digest podman gave the result. */
  containerfileSha256?: string;
  derivedDigest?: string;
  arch: BuildRequest['arch'];
  rootfs?: BuildRequest['rootfs'];
  /** sha256 of the normalised blueprint (config.toml), so key order or defaults do not make builds differ. */
  configHash: string;
}

/** Bump when the meaning of the key changes, so that old entries are no longer found. */
const KEY_VERSION = 1;

export function identicalBuildInputs(
  request: BuildRequest,
  digests: { source: string; builder: string; payload?: string; derived?: string },
  type: ImageType = request.type,
): IdenticalBuildInputs {
  return {
    sourceRef: request.source,
    sourceDigest: digests.source,
    builderDigest: digests.builder,
    ...(request.installerPayloadRef ? { payloadRef: request.installerPayloadRef } : {}),
    ...(digests.payload ? { payloadDigest: digests.payload } : {}),
    type,
    ...(request.containerfile !== undefined
      ? { containerfileSha256: createHash('sha256').update(request.containerfile).digest('hex') }
      : {}),
    ...(digests.derived ? { derivedDigest: digests.derived } : {}),
    arch: request.arch,
    ...(request.rootfs ? { rootfs: request.rootfs } : {}),
    configHash: configHash(request.customizations),
  };
}

/** Hex sha256 of the canonical inputs: equal inputs, equal key, whatever produced them. */
export function identicalBuildKey(inputs: IdenticalBuildInputs): string {
  return createHash('sha256')
    .update(canonicalJson({ v: KEY_VERSION, ...inputs }))
    .digest('hex');
}

/**
 * The key of a build of several types, for claims: two builds asking for the same set wait for each other. A build
 * of one type has that type's own key.
 */
export function identicalSetKey(perType: Partial<Record<ImageType, string>>): string {
  const keys = Object.values(perType);
  if (keys.length === 1 && keys[0] !== undefined) return keys[0];
  return createHash('sha256')
    .update(canonicalJson({ v: KEY_VERSION, perType }))
    .digest('hex');
}
