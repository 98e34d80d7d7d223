import { parseArgs } from 'node:util';
import type { BuildRequestInput, UserCustomization } from '../domain/build-request.ts';
import { AppError } from '../domain/errors.ts';
import { quoteForMessage } from '../domain/text-rules.ts';

export const BUILD_USAGE = `usage: bootc-iso build (--image REF | --preset NAME) [options]

  --image REF              tagged source bootc image, e.g. registry.redhat.io/rhel9/rhel-bootc:9.7
  --preset NAME            a preset from the config file instead of --image
  --builder NAME           builder from the config file (default: the preset's, else defaultBuilder)
  --type TYPE              image type, repeatable: iso (default, or the preset's types), anaconda-iso,
                           bootc-installer (only on builders declaring it), qcow2, raw, ami, vmdk, vhd, gce;
                           iso and anaconda-iso without --kickstart install unattended and WIPE THE FIRST DISK
  --containerfile FILE     build a derived image first: FROM the source image (one FROM), RUN steps, no mounts
  --installer-payload REF  payload image for --type bootc-installer
  --arch ARCH              x86_64, aarch64, s390x, ppc64le, riscv64 (default: this host's)
  --rootfs FS              ext4, xfs or btrfs (not with --kickstart: set --fstype there)
  --config FILE            a bootc-image-builder config.toml (ISO and disk customizations)
  --user NAME              add a user (repeatable); the options below apply to the last --user
    --ssh-key KEY            SSH public key (repeatable)
    --groups G1,G2           supplementary groups
    --password-hash HASH     $6$, $5$ or $2b$ crypt(3) hash, e.g. from "openssl passwd -6" (not for root:
                             root is locked; give root an --ssh-key)
  --kernel-arg ARG         kernel argument for the installed system (repeatable; no quotes, not with --kickstart)
  --kickstart FILE         full kickstart (cannot be combined with --user, --kernel-arg or --rootfs)
  --volume-id LABEL        ISO volume label: letters, digits, _ and -, up to 32 (builders with iso-customizations)
  --fips                   enable FIPS mode
  --rebuild                build even if an identical build's ISO exists (by default that ISO is the answer)
  --boot-test              boot the ISO in QEMU before publishing it; the build fails if it does not boot
  --local                  run the build in this process instead of on a worker
  --detach                 queue the build, print its id and exit
  --json                   machine-readable output`;

export interface BuildCliOptions {
  image?: string;
  preset?: string;
  builder?: string;
  configFile?: string;
  kickstartFile?: string;
  containerfileFile?: string;
  /** True when --type was given: the preset's types then do not apply. */
  typesGiven: boolean;
  local: boolean;
  detach: boolean;
  json: boolean;
  /** Everything that maps directly onto the request (customizations from files are merged later). */
  request: Omit<BuildRequestInput, 'source' | 'builder' | 'requester' | 'requestedAt' | 'arch'> & {
    arch?: string;
  };
}

function usageError(message: string): AppError {
  return new AppError('INVALID_REQUEST', `${message}\n\n${BUILD_USAGE}`);
}

const MAX_SHOWN_ARG = 80;

/**
 * node's parseArgs quotes the offending argument whole: a 100 KB argument would come back as a 100 KB message, and
 * control characters would reach the terminal raw. Long arguments are cut and control characters made visible.
 */
function parseErrorText(message: string, argv: string[]): string {
  let out = message;
  for (const arg of new Set(argv))
    if (arg.length > MAX_SHOWN_ARG) out = out.split(arg).join(`${arg.slice(0, MAX_SHOWN_ARG)}…`);
  return quoteForMessage(out, 1000).slice(1, -1);
}

/** Parses `bootc-iso build` arguments; pure, so every flag combination is unit-tested without Redis. */
export function parseBuildArgs(argv: string[]): BuildCliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw usageError(parseErrorText((error as Error).message, argv));
  }
  const v = parsed.values;
  if (!v.image === !v.preset) throw usageError('give exactly one of --image or --preset');

  // --ssh-key, --groups and --password-hash belong to the --user before them, so walk the tokens in order.
  const users: UserCustomization[] = [];
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const value = token.value ?? '';
    if (token.name === 'user') {
      users.push({ name: value, sshKeys: [], groups: [] });
      continue;
    }
    if (!['ssh-key', 'groups', 'password-hash'].includes(token.name)) continue;
    const user = users.at(-1);
    if (!user) throw usageError(`--${token.name} must follow the --user it belongs to`);
    if (token.name === 'ssh-key') user.sshKeys.push(value);
    if (token.name === 'groups')
      user.groups.push(
        ...value
          .split(',')
          .map((g) => g.trim())
          .filter(Boolean),
      );
    if (token.name === 'password-hash') user.passwordHash = value;
  }

  const kernelArgs = v['kernel-arg'] ?? [];
  const types = v.type ?? [];
  return {
    ...(v.image ? { image: v.image } : {}),
    ...(v.preset ? { preset: v.preset } : {}),
    ...(v.builder ? { builder: v.builder } : {}),
    ...(v.config ? { configFile: v.config } : {}),
    ...(v.kickstart ? { kickstartFile: v.kickstart } : {}),
    ...(v.containerfile ? { containerfileFile: v.containerfile } : {}),
    typesGiven: types.length > 0,
    local: v.local ?? false,
    detach: v.detach ?? false,
    json: v.json ?? false,
    request: {
      type: (types[0] ?? 'iso') as BuildRequestInput['type'],
      ...(types.length > 1 ? { types: types as NonNullable<BuildRequestInput['types']> } : {}),
      ...(v.arch ? { arch: v.arch } : {}),
      ...(v.rootfs ? { rootfs: v.rootfs as BuildRequestInput['rootfs'] } : {}),
      ...(v['installer-payload'] ? { installerPayloadRef: v['installer-payload'] } : {}),
      customizations: {
        users,
        ...(kernelArgs.length ? { kernelAppend: kernelArgs.join(' ') } : {}),
        ...(v['volume-id'] ? { iso: { volumeId: v['volume-id'] } } : {}),
        fips: v.fips ?? false,
      },
      ...(v.rebuild ? { rebuild: true } : {}),
      ...(v['boot-test'] ? { bootTest: true } : {}),
    },
  };
}

const parse = (args: string[]) =>
  parseArgs({ args, options: OPTIONS, tokens: true, strict: true, allowPositionals: false });

const OPTIONS = {
  image: { type: 'string' },
  preset: { type: 'string' },
  builder: { type: 'string' },
  type: { type: 'string', multiple: true },
  containerfile: { type: 'string' },
  'installer-payload': { type: 'string' },
  arch: { type: 'string' },
  rootfs: { type: 'string' },
  config: { type: 'string' },
  user: { type: 'string', multiple: true },
  'ssh-key': { type: 'string', multiple: true },
  groups: { type: 'string', multiple: true },
  'password-hash': { type: 'string', multiple: true },
  'kernel-arg': { type: 'string', multiple: true },
  kickstart: { type: 'string' },
  'volume-id': { type: 'string' },
  fips: { type: 'boolean' },
  rebuild: { type: 'boolean' },
  'boot-test': { type: 'boolean' },
  local: { type: 'boolean' },
  detach: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;
