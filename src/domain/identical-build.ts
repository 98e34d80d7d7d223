import { createHash } from 'node:crypto';
import { canonicalJson, configHash } from './bib-config.ts';
import type { BuildRequest } from './build-request.ts';

/** What makes two builds produce the same ISO: the exact images that went in and every input to the builder. */
export interface IdenticalBuildInputs {
  /** The reference, not only the digest: BIB writes it into the ISO as the image the installed system tracks. */
  sourceRef: string;
  sourceDigest: string;
  builderDigest: string;
  payloadRef?: string;
  payloadDigest?: string;
  type: BuildRequest['type'];
  arch: BuildRequest['arch'];
  rootfs?: BuildRequest['rootfs'];
  /** sha256 of the normalised blueprint (config.toml), so key order or defaults do not make builds differ. */
  configHash: string;
}

/** Bump when the meaning of the key changes, so that old entries are no longer found. */
const KEY_VERSION = 1;

export function identicalBuildInputs(
  request: BuildRequest,
  digests: { source: string; builder: string; payload?: string },
): IdenticalBuildInputs {
  return {
    sourceRef: request.source,
    sourceDigest: digests.source,
    builderDigest: digests.builder,
    ...(request.installerPayloadRef ? { payloadRef: request.installerPayloadRef } : {}),
    ...(digests.payload ? { payloadDigest: digests.payload } : {}),
    type: request.type,
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
