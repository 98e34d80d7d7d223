import { z } from 'zod';

/**
 * The build request: the one payload shared by every producer (Slack modal, CLI) and the worker. It is validated on
 * enqueue and again in the worker. It never holds secrets: registry credentials live only in worker config, and user
 * passwords are accepted only as crypt(3) hashes.
 *
 * SHAPE ONLY here; the rules that need config (allowed registries, builders) live in validate-build-request.ts.
 */

export const ISO_TYPES = ['iso', 'anaconda-iso', 'bootc-installer'] as const;
export const IsoType = z.enum(ISO_TYPES);
export type IsoType = z.infer<typeof IsoType>;

export const ARCHES = ['x86_64', 'aarch64', 's390x', 'ppc64le', 'riscv64'] as const;
export const Arch = z.enum(ARCHES);
export type Arch = z.infer<typeof Arch>;

export const ROOTFS_TYPES = ['ext4', 'xfs', 'btrfs'] as const;
export const Rootfs = z.enum(ROOTFS_TYPES);
export type Rootfs = z.infer<typeof Rootfs>;

export const UserCustomization = z.strictObject({
  name: z.string(),
  /** crypt(3) hash only ($6$, $5$, $y$, $2b$...); plain text would put a secret into job data. */
  passwordHash: z.string().optional(),
  sshKeys: z.array(z.string()).default([]),
  groups: z.array(z.string()).default([]),
});
export type UserCustomization = z.infer<typeof UserCustomization>;

export const Customizations = z.strictObject({
  users: z.array(UserCustomization).default([]),
  kernelAppend: z.string().optional(),
  kickstart: z.string().optional(),
  anacondaModules: z
    .strictObject({ enable: z.array(z.string()).default([]), disable: z.array(z.string()).default([]) })
    .optional(),
  iso: z
    .strictObject({
      volumeId: z.string().optional(),
      applicationId: z.string().optional(),
      publisher: z.string().optional(),
    })
    .optional(),
  fips: z.boolean().default(false),
});
export type Customizations = z.infer<typeof Customizations>;

export const Requester = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('slack'),
    userId: z.string(),
    channelId: z.string(),
    teamId: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('cli'), user: z.string() }),
]);
export type Requester = z.infer<typeof Requester>;

export const BuildRequest = z.strictObject({
  /** Fully qualified, tagged source bootc image reference (registry/path:tag[@digest]). */
  source: z.string(),
  /** Preset the source came from, when the user picked one (informational). */
  preset: z.string().optional(),
  /** Builder: the config name and the image reference it resolved to at enqueue time. */
  builder: z.strictObject({ name: z.string(), image: z.string() }),
  type: IsoType,
  /** Payload image for `bootc-installer` (required for it, refused for the others). */
  installerPayloadRef: z.string().optional(),
  arch: Arch,
  rootfs: Rootfs.optional(),
  customizations: Customizations.default({ users: [], fips: false }),
  requester: Requester,
  requestedAt: z.iso.datetime(),
});
export type BuildRequest = z.infer<typeof BuildRequest>;
/** What producers pass in before defaults are applied. */
export type BuildRequestInput = z.input<typeof BuildRequest>;
