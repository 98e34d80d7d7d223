import type { BuildRequest } from '../domain/build-request.ts';
import { type ChecksumEntry, sha256Of } from './checksums.ts';

/**
 * What a build says about itself: an in-toto Statement v1 whose subjects are the published artifacts and whose
 * predicate is SLSA Provenance v1. It travels signed in a DSSE envelope (trust-files.ts).
 */

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** Names this project's build process and the meaning of its parameters; documented in docs/verify.md. */
export const BUILD_TYPE = 'https://bootc-iso-bot.github.io/build-types/iso/v1';
/** Prefix of builder.id: the worker host name is appended. */
export const BUILDER_ID_PREFIX = 'https://bootc-iso-bot.github.io/builders/worker/';

/** An image the build read: shown as a resolved dependency with its content digest. */
export interface ResolvedImage {
  /** source, builder, payload or derived-base. */
  role: string;
  /** The image reference as pulled. */
  ref: string;
  /** `sha256:<hex>` (a manifest digest). */
  digest: string;
}

export interface ProvenanceInput {
  buildId: string;
  subjects: ChecksumEntry[];
  request: BuildRequest;
  images: ResolvedImage[];
  workerHost: string;
  startedOn: Date;
  finishedOn: Date;
  /** Settings of this host that shaped the result without being part of the request (e.g. bootTest). */
  internal?: Record<string, unknown>;
}

export interface InTotoStatement {
  _type: typeof STATEMENT_TYPE;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: typeof SLSA_PROVENANCE_V1;
  predicate: {
    buildDefinition: {
      buildType: string;
      externalParameters: Record<string, unknown>;
      internalParameters: Record<string, unknown>;
      resolvedDependencies: { name: string; uri: string; digest: Record<string, string> }[];
    };
    runDetails: {
      builder: { id: string };
      metadata: { invocationId: string; startedOn: string; finishedOn: string };
    };
  };
}

/**
 * The request as external parameters, without anything a reader of a public download must not see: password
 * hashes are dropped, a kickstart (which may hold `rootpw`) is replaced by its sha256, and who asked is left out
 * (it is not a build input).
 */
export function publicParameters(request: BuildRequest): Record<string, unknown> {
  const { requester: _requester, requestedAt: _requestedAt, customizations, ...rest } = request;
  const { kickstart, users, ...otherCustomizations } = customizations;
  return {
    ...rest,
    customizations: {
      ...otherCustomizations,
      users: users.map(({ passwordHash, ...user }) => ({
        ...user,
        ...(passwordHash === undefined ? {} : { passwordHash: 'redacted' }),
      })),
      ...(kickstart === undefined ? {} : { kickstartSha256: sha256Of(kickstart) }),
    },
  };
}

/** `sha256:<hex>` → { sha256: hex }; any other algorithm keeps its name. */
function digestSet(digest: string): Record<string, string> {
  const at = digest.indexOf(':');
  return at > 0 ? { [digest.slice(0, at)]: digest.slice(at + 1) } : { sha256: digest };
}

export function provenanceStatement(input: ProvenanceInput): InTotoStatement {
  return {
    _type: STATEMENT_TYPE,
    subject: input.subjects.map(({ name, sha256 }) => ({ name, digest: { sha256 } })),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: publicParameters(input.request),
        internalParameters: { workerHost: input.workerHost, ...(input.internal ?? {}) },
        resolvedDependencies: input.images.map((image) => ({
          name: image.role,
          uri: `oci://${image.ref}`,
          digest: digestSet(image.digest),
        })),
      },
      runDetails: {
        builder: { id: `${BUILDER_ID_PREFIX}${encodeURIComponent(input.workerHost)}` },
        metadata: {
          invocationId: input.buildId,
          startedOn: input.startedOn.toISOString(),
          finishedOn: input.finishedOn.toISOString(),
        },
      },
    },
  };
}
