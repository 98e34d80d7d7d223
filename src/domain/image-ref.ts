import { AppError } from './errors.ts';
import { parseHost } from './image-host.ts';
import { describeCodePoint, findUnsafeChar, quoteForMessage } from './text-rules.ts';

/** A container image reference per the distribution/reference grammar, always fully qualified. */
export interface ImageRef {
  /** host[:port], host lowercased. */
  registry: string;
  /** Path without the registry. */
  repository: string;
  tag?: string;
  digest?: string;
}

export interface ParseImageRefOptions {
  /** bootc-image-builder refuses untagged images (ValidateHasContainerTags); default true. */
  requireTag?: boolean;
  /** Request field named in the error; default 'image'. */
  field?: string;
  /** How the message names the value, e.g. 'source image'; default 'image reference'. */
  label?: string;
}

const EXAMPLE = 'registry.example.com/org/image:tag';
const MAX_INPUT = 1024;
const MAX_NAME = 255;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

class RefProblem extends Error {}

function refuse(why: string): never {
  throw new RefProblem(why);
}

function checkCharacters(input: string): void {
  if (input === '') refuse(`is empty; use a fully qualified reference like ${EXAMPLE}`);
  if (input.length > MAX_INPUT)
    refuse(`is ${input.length} characters long; an image reference is far shorter`);
  const unsafe = findUnsafeChar(input);
  if (unsafe) refuse(`contains the control character ${describeCodePoint(unsafe.codePoint)}; remove it`);
  if (input.startsWith('-'))
    refuse(`starts with "-" and looks like a command-line option; give a reference like ${EXAMPLE}`);
  if (/\s/.test(input)) refuse('contains whitespace; remove it');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(input);
  if (scheme) {
    refuse(
      `starts with "${scheme[1]}://"; drop the scheme and write ${quoteForMessage(input.slice(scheme[0].length))}`,
    );
  }
  const nonAscii = /[^\x20-\x7e]/u.exec(input);
  if (nonAscii) {
    const cp = nonAscii[0].codePointAt(0) ?? 0;
    refuse(
      `contains the non-ASCII character "${nonAscii[0]}" (${describeCodePoint(cp)}), probably a look-alike; retype it in plain ASCII`,
    );
  }
  const stray = /[^A-Za-z0-9._\-/:@[\]+=]/.exec(input);
  if (stray)
    refuse(
      `contains "${stray[0]}", which is never valid in an image reference; use only letters, digits and . _ - / : @`,
    );
}

function checkDigest(digest: string): void {
  if (digest === '') refuse('has an empty digest after "@"');
  if (!DIGEST.test(digest))
    refuse(`has the digest "${digest}", which is not of the form sha256:<64 hex digits>`);
  const [algorithm = '', encoded = ''] = digest.split(':');
  const hexLength = DIGEST_HEX_LENGTH[algorithm];
  if (hexLength !== undefined && !new RegExp(`^[a-f0-9]{${hexLength}}$`).test(encoded)) {
    refuse(`has a ${algorithm} digest that is not ${hexLength} lowercase hex digits`);
  }
}

function checkTag(tag: string): void {
  if (tag === '') refuse('has an empty tag after ":"; add the tag, e.g. :latest');
  if (tag.length > 128) refuse(`has a tag of ${tag.length} characters; tags are at most 128`);
  if (!TAG.test(tag))
    refuse(`has the tag "${tag}", which is invalid: use letters, digits, _ . -, not starting with . or -`);
}

function checkPath(components: string[]): void {
  if (components.some((c) => c === '')) refuse('has an empty path component ("//" or a trailing "/")');
  const repository = components.join('/');
  if (/[A-Z]/.test(repository))
    refuse(`has uppercase letters in the repository; use "${repository.toLowerCase()}"`);
  const bad = components.find((c) => !COMPONENT.test(c));
  if (bad !== undefined) {
    refuse(
      `has the path component "${bad}", which is invalid: use lowercase letters and digits separated by ".", "_", "__" or "-"`,
    );
  }
}

function isRegistryLike(first: string): boolean {
  return (
    first.includes('.') || first.includes(':') || first.toLowerCase() === 'localhost' || first.startsWith('[')
  );
}

function parseOrRefuse(input: string, requireTag: boolean): ImageRef {
  checkCharacters(input);
  const parts = input.split('@');
  if (parts.length > 2) refuse('has more than one "@"');
  const [rest = '', digest] = parts;
  if (digest !== undefined) checkDigest(digest);
  const lastColon = rest.lastIndexOf(':');
  const tagged = lastColon > rest.lastIndexOf('/');
  const name = tagged ? rest.slice(0, lastColon) : rest;
  const tag = tagged ? rest.slice(lastColon + 1) : undefined;
  if (name.includes('..')) refuse('contains "..", which is never valid in an image name');
  const components = name.split('/');
  const [first = '', ...path] = components;
  if (path.length === 0) {
    if (isRegistryLike(first))
      refuse(`names only a registry; add the repository and tag, e.g. ${first}/org/image:tag`);
    refuse(
      `is not fully qualified; use a fully qualified reference like ${EXAMPLE} (docker.io is not assumed)`,
    );
  }
  if (!isRegistryLike(first)) {
    refuse(
      `is not fully qualified; use a fully qualified reference like ${EXAMPLE} (docker.io is not assumed)`,
    );
  }
  const host = parseHost(first);
  if (!host.ok) refuse(host.why);
  checkPath(path);
  if (tag !== undefined) checkTag(tag);
  const ref: ImageRef = { registry: host.host, repository: path.join('/') };
  const fullName = `${ref.registry}/${ref.repository}`;
  if (fullName.length > MAX_NAME)
    refuse(`has a name of ${fullName.length} characters; the limit is ${MAX_NAME}`);
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (requireTag && tag === undefined) {
    if (digest !== undefined) {
      refuse(
        `has a digest but no tag: bootc-image-builder needs a tagged image: add :tag before the "@", e.g. ${fullName}:latest@${digest.slice(0, 15)}…`,
      );
    }
    refuse(`has no tag: bootc-image-builder needs a tagged image: add :tag, e.g. ${fullName}:latest`);
  }
  return ref;
}

/**
 * Parses a fully qualified image reference, throwing INVALID_REQUEST with a specific reason. There is no docker.io
 * defaulting: a worker pulls exactly what was asked for, and a short name could resolve differently per host.
 */
export function parseImageRef(input: string, opts: ParseImageRefOptions = {}): ImageRef {
  const field = opts.field ?? 'image';
  const label = opts.label ?? 'image reference';
  if (typeof input !== 'string') throw new AppError('INVALID_REQUEST', `${label} must be text`, { field });
  try {
    return parseOrRefuse(input, opts.requireTag ?? true);
  } catch (error) {
    if (!(error instanceof RefProblem)) throw error;
    const shown = input === '' ? '' : ` ${quoteForMessage(input)}`;
    throw new AppError('INVALID_REQUEST', `${label}${shown} ${error.message}`, { field });
  }
}

export function formatImageRef(ref: ImageRef): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${ref.registry}/${ref.repository}${tag}${digest}`;
}

/** The registry (host[:port], host lowercased) of a reference, tagged or not. */
export function registryOf(input: string): string {
  return parseImageRef(input, { requireTag: false }).registry;
}
