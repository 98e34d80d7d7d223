import { z } from 'zod';
import { ImageTypeName } from '../domain/build-request.ts';
import { Capability } from '../domain/capabilities.ts';
import { IMAGE_TYPE_NAMES } from '../domain/image-types.ts';
import { ACCESS_KNOWN_KEYS, Access } from './access-schema.ts';
import { BootTestObject } from './boot-test-schema.ts';
import { checkConfigImageRef, registryHostProblem } from './check-image-ref.ts';
import {
  DEFAULT_ALLOWED_REGISTRIES,
  DEFAULT_BUILDER,
  DEFAULT_BUILDERS,
  DEFAULT_PRESETS,
  DEFAULT_TIMEOUTS,
  DEFAULT_WORKER,
  DEFAULT_WORKER_WARM,
} from './defaults.ts';
import { RoutingObject } from './routing-schema.ts';
import { fromBooleanString, fromNumericString, wholeNumber } from './schema-values.ts';

/**
 * The YAML config file. Objects are strict so a misspelt field is an error, not a silently ignored setting.
 * Messages for the built-in checks come from describeIssue() in format-issues.ts; the custom checks below write
 * their own "what is wrong; how to fix it" text.
 */

export const LIMITS = {
  concurrency: 32,
  attempts: 20,
  backoffSeconds: 86_400,
  timeoutSeconds: 604_800,
} as const;

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const NAME_RULE = 'use up to 63 lowercase letters, digits, ".", "_" and "-", starting with a letter or digit';
/** Builder and preset names: shown in Slack and typed on the CLI. */
export const Name = z.string().superRefine((name, ctx) => {
  if (!NAME.test(name)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name)} is not a valid name; ${NAME_RULE}` });
  }
});

export const RegistryHost = z.string().superRefine((host, ctx) => {
  const problem = registryHostProblem(host);
  if (problem)
    ctx.addIssue({ code: 'custom', message: `${problem}; write host or host:port, without scheme or path` });
});

/** An image reference: `source` for presets (tag required), `builder` for builders (tag or digest). */
const imageRef = (kind: 'source' | 'builder') =>
  z
    .string()
    .max(1024)
    .superRefine((ref, ctx) => {
      const check = checkConfigImageRef(ref, kind);
      if (!check.ok) ctx.addIssue({ code: 'custom', message: check.problem });
    });

/** An absolute path that can be used in a `podman -v host:container` mount (so no ":" or ","). */
export const MountPath = z
  .string()
  .max(1024)
  .superRefine((path, ctx) => {
    if (!path.startsWith('/')) {
      ctx.addIssue({ code: 'custom', message: `"${path}" is not absolute; write a path starting with /` });
    } else if (/[:,\n\r\0]/.test(path)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${path}" contains ":" or ","; podman -v cannot mount it; rename it`,
      });
    }
  });

/**
 * What a builder image can do beyond what every shipped bootc-image-builder does. Older builders fail on a
 * `[customizations.iso]` section ("unknown keys found"), answer `bootc-installer` with "unsupported image type", and
 * silently re-hash any password hash other than $6$, $5$ and $2b$; an operator running a newer builder lists here
 * what it has, and requests that need it are refused on builders without it.
 */
export const BUILDER_FEATURES = ['iso-customizations', 'bootc-installer', 'yescrypt'] as const;
export const BuilderFeature = z.enum(BUILDER_FEATURES);
export type BuilderFeature = z.infer<typeof BuilderFeature>;

export const Builder = z.strictObject({
  /** The bootc-image-builder image, pinned by tag or digest. */
  image: imageRef('builder'),
  /** Capabilities this builder image has on top of the shipped baseline (see BUILDER_FEATURES); none when left out. */
  features: z
    .array(BuilderFeature)
    .max(BUILDER_FEATURES.length * 2)
    .optional(),
  /** What a host must offer to run this builder's iso/anaconda-iso builds (e.g. rhel-entitlement). */
  requires: z.array(Capability).optional(),
});
export type Builder = z.infer<typeof Builder>;

export const Preset = z.strictObject({
  /** The bootc source image users get when they pick this preset; bootc-image-builder needs it tagged. */
  image: imageRef('source'),
  /** Key into `builders`. */
  builder: Name,
  /** One line shown next to the name in Slack and the CLI. */
  description: z.string().max(200).default(''),
  /** Boot every ISO of this preset in QEMU before it is published (the request's bootTest turns it on too). */
  bootTest: z.preprocess(fromBooleanString, z.boolean()).optional(),
  /**
   * What a host must offer to build this preset's iso/anaconda-iso ISOs. Unset: rhel-entitlement for a RHEL source
   * from Red Hat's registry, nothing otherwise; `[]` runs them on any host.
   */
  requires: z.array(Capability).optional(),
  /** Image types built when the request names none (default: iso). */
  types: z.array(ImageTypeName).min(1).max(IMAGE_TYPE_NAMES.length).optional(),
  /** A Containerfile (path on the host that reads the config) building a derived image of `image`. */
  containerfile: MountPath.optional(),
  /** Packages added to `image` with `dnf install -y` (a derived image); not with `containerfile`. */
  packages: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+:-]{0,127}$/))
    .max(200)
    .optional(),
});
export type Preset = z.infer<typeof Preset>;

export const RegistryAuth = z
  .strictObject({
    username: z.string().min(1).max(256).optional(),
    /** Inline password; usually `${SOME_VAR}`. */
    password: z.string().min(1).max(4096).optional(),
    /** A file on the worker holding the password (read at login time, not here). */
    passwordFile: MountPath.optional(),
    /** Plain HTTP or unverified TLS (`--tls-verify=false`): internal registries and the testbed only. */
    insecure: z.preprocess(fromBooleanString, z.boolean()).default(false),
  })
  .superRefine((auth, ctx) => {
    const hasSecret = auth.password !== undefined || auth.passwordFile !== undefined;
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (auth.password !== undefined && auth.passwordFile !== undefined) {
      issue('has both password and passwordFile; keep exactly one of them');
    } else if (auth.username !== undefined && !hasSecret) {
      issue(
        'has a username but no password; add password or passwordFile, or remove username for anonymous pulls',
      );
    } else if (auth.username === undefined && hasSecret) {
      issue('has a password but no username; add username');
    }
  });
export type RegistryAuth = z.infer<typeof RegistryAuth>;

const seconds = (fallback: number) => wholeNumber(1, LIMITS.timeoutSeconds).default(fallback);

const TimeoutsObject = z.strictObject({
  loginSeconds: seconds(DEFAULT_TIMEOUTS.loginSeconds),
  pullSeconds: seconds(DEFAULT_TIMEOUTS.pullSeconds),
  buildSeconds: seconds(DEFAULT_TIMEOUTS.buildSeconds),
  uploadSeconds: seconds(DEFAULT_TIMEOUTS.uploadSeconds),
});
export const Timeouts = TimeoutsObject.prefault({});

/** `podman build` of derived images: its network (none, the host's, or podman's default) and time limit. */
const DeriveObject = z.strictObject({
  network: z.enum(['none', 'host', 'default']).default(DEFAULT_WORKER.derive.network),
  timeoutSeconds: wholeNumber(10, 86_400).default(DEFAULT_WORKER.derive.timeoutSeconds),
});

/** Remove images (other than the configured builders) that no build on this host used for keepDays days. */
const ImagePruneObject = z.strictObject({ keepDays: wholeNumber(1, 3650) });

/** Keeping the presets' images pulled ahead of builds; 0 minutes turns it off. */
const WarmObject = z.strictObject({
  intervalMinutes: wholeNumber(0, 10_080).default(DEFAULT_WORKER_WARM.intervalMinutes),
});

const WorkerObject = z.strictObject({
  /** Builds run at once on this worker. */
  concurrency: wholeNumber(1, LIMITS.concurrency).default(DEFAULT_WORKER.concurrency),
  /** Per-job scratch space; ISOs are written here before upload. */
  workDir: MountPath.default(DEFAULT_WORKER.workDir),
  /** Host podman storage, mounted into the builder as /var/lib/containers/storage. */
  containerStorage: MountPath.default(DEFAULT_WORKER.containerStorage),
  /** osbuild store cache, mounted as /store; `<workDir>/store` when left out. */
  storeCache: MountPath.optional(),
  /** RPM metadata cache, mounted as /rpmmd; `<workDir>/rpmmd` when left out. */
  rpmmdCache: MountPath.optional(),
  /** Refuse to start a build with less free space than this (GiB) in workDir or containerStorage. */
  minFreeDiskGiB: z
    .preprocess(fromNumericString, z.number().min(0).max(1_000_000))
    .default(DEFAULT_WORKER.minFreeDiskGiB),
  /**
   * Images larger than this (compressed, per the registry) are refused before the pull; 20 when unset
   * (workers/image-size.ts).
   */
  maxImageGiB: z.preprocess(fromNumericString, z.number().min(0.0001).max(10_000)).optional(),
  /** The podman executable: a name looked up on PATH, or an absolute path. */
  podman: z
    .string()
    .superRefine((podman, ctx) => {
      if (!/^(?:[A-Za-z0-9._-]+|\/[A-Za-z0-9._/-]+)$/.test(podman)) {
        const problem = 'is not an executable name or absolute path; write e.g. podman or /usr/bin/podman';
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(podman)} ${problem}` });
      }
    })
    .default(DEFAULT_WORKER.podman),
  timeouts: Timeouts,
  /** BullMQ attempts for retryable (infrastructure) failures. */
  attempts: wholeNumber(1, LIMITS.attempts).default(DEFAULT_WORKER.attempts),
  /** Base of the exponential backoff between attempts. */
  backoffSeconds: wholeNumber(0, LIMITS.backoffSeconds).default(DEFAULT_WORKER.backoffSeconds),
  /** A build whose host stops renewing its lock this long (dead host) is taken over by another worker. */
  lockSeconds: wholeNumber(10, 3600).default(DEFAULT_WORKER.lockSeconds),
  /** On SIGTERM, running builds may finish for this long before they are stopped and handed back to the queue. */
  shutdownGraceSeconds: wholeNumber(0, 86_400).default(DEFAULT_WORKER.shutdownGraceSeconds),
  /** Old-image policy (workers/image-prune.ts): on when absent, so a host's disk does not fill; `false` turns it off. */
  imagePrune: z.union([z.literal(false), ImagePruneObject]).optional(),
  /** Pull the presets' source and builder images at start and every intervalMinutes. */
  warm: WarmObject.prefault({}),
  /**
   * What this host offers (e.g. rhel-entitlement). Unset: detected at start (entitlement certificates and podman's
   * secrets mount on a RHEL host). Set, even to `[]`, it is taken as given.
   */
  capabilities: z.array(Capability).optional(),
  /** Derived images (a Containerfile on top of the source). */
  derive: DeriveObject.prefault({}),
});
export const Worker = WorkerObject.prefault({});

/** The key that signs SHA256SUMS and the provenance of every build (ECDSA P-256, PEM files). */
const SigningObject = z.strictObject({
  /** Build hosts: the private key. Without it builds publish SHA256SUMS unsigned. */
  privateKeyFile: MountPath.optional(),
  /** Bot and CLI: the public key, served at /signing-key.pub and used by `bootc-iso verify`. */
  publicKeyFile: MountPath.optional(),
});

/** What the Slack bot tells people beyond the status message. */
const NotificationsObject = z.strictObject({
  /** DM the requester when their build ends (ready, failed or cancelled). */
  dmOnFinish: z.boolean().default(false),
});

export const ConfigFile = z.strictObject({
  builders: z.record(Name, Builder).default(() => structuredClone(DEFAULT_BUILDERS)),
  defaultBuilder: Name.default(DEFAULT_BUILDER),
  presets: z.record(Name, Preset).default(() => structuredClone(DEFAULT_PRESETS)),
  allowedRegistries: z.array(RegistryHost).default(() => [...DEFAULT_ALLOWED_REGISTRIES]),
  registries: z.record(RegistryHost, RegistryAuth).default(() => ({})),
  worker: Worker,
  access: Access,
  signing: SigningObject.optional(),
  bootTest: BootTestObject.optional(),
  notifications: NotificationsObject.optional(),
  routing: RoutingObject.prefault({}),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

/** The fields each strict object allows, by schema path pattern (`*` = any key of a record). */
export const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(ConfigFile.shape),
  'builders.*': Object.keys(Builder.shape),
  'presets.*': Object.keys(Preset.shape),
  'registries.*': Object.keys(RegistryAuth.shape),
  worker: Object.keys(WorkerObject.shape),
  'worker.timeouts': Object.keys(TimeoutsObject.shape),
  'worker.imagePrune': Object.keys(ImagePruneObject.shape),
  signing: Object.keys(SigningObject.shape),
  bootTest: Object.keys(BootTestObject.shape),
  'worker.derive': Object.keys(DeriveObject.shape),
  'worker.warm': Object.keys(WarmObject.shape),
  notifications: Object.keys(NotificationsObject.shape),
  routing: Object.keys(RoutingObject.shape),
  ...ACCESS_KNOWN_KEYS,
};

export { type BootTestSettings, defaultBootTestSettings } from './boot-test-schema.ts';
