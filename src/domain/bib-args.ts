import { ARCHES, type Arch, ROOTFS_TYPES, type Rootfs } from './build-request.ts';
import { formatImageRef, parseImageRef } from './image-ref.ts';
import { IMAGE_TYPE_NAMES, type ImageType, imageTypeSpec } from './image-types.ts';
import { describeCodePoint, findUnsafeChar, invalidRequest, quoteForMessage } from './text-rules.ts';

/** Labels on every builder container, so a sweep can find and remove orphans after a crash. */
export const LABELS = {
  build: 'io.bootc-iso.build',
  host: 'io.bootc-iso.host',
  managed: 'io.bootc-iso.managed',
} as const;

export const PULL_POLICIES = ['newer', 'never', 'missing', 'always'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

export interface BibRunOptions {
  /** Operator-set podman options placed before `run` (e.g. `--root`); they start with '-' by nature. */
  podmanGlobalArgs?: string[];
  containerName: string;
  labels: Record<string, string>;
  /** Host path to config.toml. */
  configPath: string;
  outputDir: string;
  /** Host path of root's container storage, where the source image was pre-pulled. */
  containerStorage: string;
  storeDir?: string;
  rpmmdDir?: string;
  builderImage: string;
  /** One type, or the types of one run: all disk types, or a single ISO type (the builder refuses mixes). */
  type: ImageType | readonly ImageType[];
  sourceRef: string;
  rootfs?: Rootfs;
  targetArch?: Arch;
  installerPayloadRef?: string;
  /** Applies to the builder image only; BIB never pulls the source. Default 'newer', as upstream documents. */
  pull?: PullPolicy;
}

// podman's own container-name rule.
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const LABEL_KEY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function containerNameFor(buildId: string): string {
  const name = `bootc-iso-${buildId}`;
  if (!CONTAINER_NAME.test(name)) {
    throw invalidRequest(
      'containerName',
      `build id ${quoteForMessage(buildId)} cannot be part of a container name`,
    );
  }
  return name;
}

function refuseUnsafe(value: string, field: string): void {
  const bad = findUnsafeChar(value);
  if (bad)
    throw invalidRequest(
      field,
      `${field} contains ${describeCodePoint(bad.codePoint)}; refusing to pass it to podman`,
    );
}

/** A value that becomes its own argv element: it must not be read as an option. */
function argValue(value: string, field: string): string {
  if (typeof value !== 'string' || value === '') throw invalidRequest(field, `${field} is empty`);
  refuseUnsafe(value, field);
  if (value.startsWith('-')) {
    throw invalidRequest(
      field,
      `${field} ${quoteForMessage(value)} starts with "-" and would be read as an option`,
    );
  }
  return value;
}

/**
 * A host path inside `-v host:container[:opts]`: ':' would shift the fields and ',' would add mount options, so both
 * are refused rather than escaped (podman has no escaping for them).
 */
function hostPath(path: string, field: string): string {
  argValue(path, field);
  if (!path.startsWith('/'))
    throw invalidRequest(field, `${field} ${quoteForMessage(path)} must be an absolute path`);
  if (/[:,]/.test(path)) {
    throw invalidRequest(
      field,
      `${field} ${quoteForMessage(path)} contains ":" or ",", which podman -v cannot take in a path`,
    );
  }
  if (path.split('/').some((part) => part === '..' || part === '.')) {
    throw invalidRequest(
      field,
      `${field} ${quoteForMessage(path)} must be a normalised path (no "." or ".." parts)`,
    );
  }
  return path;
}

function oneOf<T extends string>(value: T, allowed: readonly string[], field: string): T {
  if (!allowed.includes(value)) {
    throw invalidRequest(
      field,
      `${field} ${quoteForMessage(String(value))} is not one of ${allowed.join(', ')}`,
    );
  }
  return value;
}

function labelArgs(labels: Record<string, string>): string[] {
  const keys = Object.keys(labels).sort();
  return keys.flatMap((key) => {
    if (!LABEL_KEY.test(key))
      throw invalidRequest('labels', `label key ${quoteForMessage(key)} is not a reverse-DNS style key`);
    const value = argValue(labels[key] ?? '', `label ${key}`);
    return ['--label', `${key}=${value}`];
  });
}

function ref(value: string, field: string, requireTag: boolean): string {
  argValue(value, field);
  const parsed = parseImageRef(value, { field, label: field, requireTag });
  // BIB reads these from local storage by tag; podman keeps a tag@digest pull untagged (validate-build-request.ts).
  if (requireTag && parsed.digest !== undefined) {
    throw invalidRequest(
      field,
      `${field} ${quoteForMessage(value)} has a digest; BIB needs the tagged image`,
    );
  }
  return formatImageRef(parsed);
}

/**
 * The argv (after `podman`) of one BIB ISO build, in the documented order: podman options, the builder image, then
 * BIB's own flags and the source image last. Every value is checked; nothing is ever joined into a shell string.
 */
export function buildPodmanRunArgs(o: BibRunOptions): string[] {
  const globalArgs = (o.podmanGlobalArgs ?? []).map((arg, i) => {
    if (typeof arg !== 'string' || arg === '')
      throw invalidRequest('podmanGlobalArgs', `podman global argument ${i + 1} is empty`);
    refuseUnsafe(arg, 'podmanGlobalArgs');
    return arg;
  });
  const pull = oneOf(o.pull ?? 'newer', PULL_POLICIES, 'pull');
  const name = argValue(o.containerName, 'containerName');
  if (!CONTAINER_NAME.test(name))
    throw invalidRequest('containerName', `container name ${quoteForMessage(name)} is invalid`);
  const mounts = [
    '-v',
    `${hostPath(o.configPath, 'configPath')}:/config.toml:ro`,
    '-v',
    `${hostPath(o.outputDir, 'outputDir')}:/output`,
    '-v',
    `${hostPath(o.containerStorage, 'containerStorage')}:/var/lib/containers/storage`,
  ];
  if (o.storeDir !== undefined) mounts.push('-v', `${hostPath(o.storeDir, 'storeDir')}:/store`);
  if (o.rpmmdDir !== undefined) mounts.push('-v', `${hostPath(o.rpmmdDir, 'rpmmdDir')}:/rpmmd`);
  const types = (typeof o.type === 'string' ? [o.type] : [...o.type]).map((t) =>
    oneOf(t, IMAGE_TYPE_NAMES, 'type'),
  );
  const isos = types.filter((t) => imageTypeSpec(t).family === 'iso');
  if (types.length === 0 || (isos.length > 0 && types.length > 1))
    throw invalidRequest(
      'type',
      `one builder run makes one ISO type or disk types only, not ${types.join(', ')}`,
    );
  const bibFlags = [...types.flatMap((t) => ['--type', t]), '--progress', 'verbose'];
  if (o.rootfs !== undefined) bibFlags.push('--rootfs', oneOf(o.rootfs, ROOTFS_TYPES, 'rootfs'));
  if (o.targetArch !== undefined) bibFlags.push('--target-arch', oneOf(o.targetArch, ARCHES, 'targetArch'));
  if (o.installerPayloadRef !== undefined) {
    bibFlags.push('--installer-payload-ref', ref(o.installerPayloadRef, 'installerPayloadRef', true));
  }
  return [
    ...globalArgs,
    'run',
    '--rm',
    '--privileged',
    `--pull=${pull}`,
    '--security-opt',
    'label=type:unconfined_t',
    '--name',
    name,
    ...labelArgs(o.labels),
    ...mounts,
    ref(o.builderImage, 'builderImage', false),
    ...bibFlags,
    ref(o.sourceRef, 'sourceRef', true),
  ];
}
