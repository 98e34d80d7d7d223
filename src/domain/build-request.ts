import { z } from 'zod';
import { IMAGE_TYPE_NAMES, type ImageType } from './image-types.ts';

/**
 * The build request: the one payload shared by every producer (Slack modal, CLI) and the worker. It is validated on
 * enqueue and again in the worker. It never holds secrets: registry credentials live only in worker config, and user
 * passwords are accepted only as crypt(3) hashes.
 *
 * SHAPE ONLY here; the rules that need config (allowed registries, builders) live in validate-build-request.ts.
 */

/**
 * Size bounds, enforced by the shape itself so that any consumer parsing job data rejects oversized payloads before
 * looking at them; validate-build-request.ts adds the content rules and reuses these numbers in its messages.
 */
export const LIMITS = {
  imageRef: 1024,
  name: 64,
  preset: 128,
  users: 50,
  userName: 32,
  passwordHash: 512,
  sshKeysPerUser: 20,
  sshKey: 16_384,
  groupsPerUser: 32,
  kernelAppend: 2048,
  kickstart: 65_536,
  anacondaModules: 20,
  anacondaModuleName: 128,
  volumeId: 32,
  requesterField: 64,
  /** Every type once at most. */
  types: IMAGE_TYPE_NAMES.length,
  filesystems: 20,
  /** Partitions of `[customizations.disk]`, and logical volumes or subvolumes in one of them. */
  partitions: 20,
  volumeName: 64,
  diskPaths: 50,
  files: 10,
  fileData: 16_384,
  path: 1024,
  containerfile: 65_536,
} as const;

export const ISO_TYPES = ['iso', 'anaconda-iso', 'bootc-installer'] as const;
export const IsoType = z.enum(ISO_TYPES);
export type IsoType = z.infer<typeof IsoType>;

/** Every image type the builder makes: ISOs and disk images. */
export const ImageTypeName = z.enum(IMAGE_TYPE_NAMES as [ImageType, ...ImageType[]]);

export const ARCHES = ['x86_64', 'aarch64', 's390x', 'ppc64le', 'riscv64'] as const;
export const Arch = z.enum(ARCHES);
export type Arch = z.infer<typeof Arch>;

export const ROOTFS_TYPES = ['ext4', 'xfs', 'btrfs'] as const;
export const Rootfs = z.enum(ROOTFS_TYPES);
export type Rootfs = z.infer<typeof Rootfs>;

export const UserCustomization = z.strictObject({
  name: z.string().max(LIMITS.userName),
  /** crypt(3) hash only ($6$, $5$, $2b$; $y$ where the builder keeps it); plain text would put a secret into job data. */
  passwordHash: z.string().max(LIMITS.passwordHash).optional(),
  sshKeys: z.array(z.string().max(LIMITS.sshKey)).max(LIMITS.sshKeysPerUser).default([]),
  groups: z.array(z.string().max(LIMITS.userName)).max(LIMITS.groupsPerUser).default([]),
});
export type UserCustomization = z.infer<typeof UserCustomization>;

/** Disk images only: a partition of at least `minSize` bytes mounted at `mountpoint`. */
export const FilesystemCustomization = z.strictObject({
  mountpoint: z.string().max(LIMITS.path),
  minSize: z.number().int().positive(),
});
/** Disk images only: a directory to create, with an octal mode such as 0755. */
export const DirectoryCustomization = z.strictObject({
  path: z.string().max(LIMITS.path),
  mode: z.string().max(5).optional(),
});
/** Disk images only: a small text file to write. */
export const FileCustomization = z.strictObject({
  path: z.string().max(LIMITS.path),
  data: z.string().max(LIMITS.fileData),
  mode: z.string().max(5).optional(),
});

/** Filesystems the builder makes on a partition or logical volume of `[customizations.disk]`. */
export const PARTITION_FS_TYPES = ['ext4', 'xfs', 'vfat'] as const;
const PartitionFsType = z.enum(PARTITION_FS_TYPES);
const Size = z.number().int().positive();
const Mountpoint = z.string().max(LIMITS.path);
const VolumeName = z.string().max(LIMITS.volumeName);

/** One partition of `[customizations.disk]`: a plain filesystem, an LVM volume group, or a btrfs volume. */
export const DiskPartition = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('plain'),
    minSize: Size,
    mountpoint: Mountpoint,
    fsType: PartitionFsType,
  }),
  z.strictObject({
    type: z.literal('lvm'),
    minSize: Size,
    name: VolumeName.optional(),
    logicalVolumes: z
      .array(
        z.strictObject({
          name: VolumeName.optional(),
          minSize: Size,
          mountpoint: Mountpoint,
          fsType: PartitionFsType,
        }),
      )
      .min(1)
      .max(LIMITS.partitions),
  }),
  z.strictObject({
    type: z.literal('btrfs'),
    minSize: Size,
    subvolumes: z
      .array(z.strictObject({ name: VolumeName, mountpoint: Mountpoint }))
      .min(1)
      .max(LIMITS.partitions),
  }),
]);
export type DiskPartition = z.infer<typeof DiskPartition>;

/**
 * Disk images only: the whole partition table (`[customizations.disk]`), instead of sizes for the image's own
 * partitions (`filesystems`); the builder refuses the two together.
 */
export const DiskCustomization = z.strictObject({
  /** Partition table type; the image's (gpt) when left out. */
  type: z.enum(['gpt', 'dos']).optional(),
  /** Smallest disk size in bytes. */
  minSize: Size.optional(),
  partitions: z.array(DiskPartition).max(LIMITS.partitions).default([]),
});
export type DiskCustomization = z.infer<typeof DiskCustomization>;

const AnacondaModuleList = z.array(z.string().max(LIMITS.anacondaModuleName)).max(LIMITS.anacondaModules);

export const Customizations = z.strictObject({
  users: z.array(UserCustomization).max(LIMITS.users).default([]),
  kernelAppend: z.string().max(LIMITS.kernelAppend).optional(),
  kickstart: z.string().max(LIMITS.kickstart).optional(),
  anacondaModules: z
    .strictObject({ enable: AnacondaModuleList.default([]), disable: AnacondaModuleList.default([]) })
    .optional(),
  /**
   * `[customizations.iso]`: only the volume label. The builder validates volume_id even when it is missing, and its
   * ISO code ignores application_id and publisher, so a section is never written without a label and nothing else.
   */
  iso: z.strictObject({ volumeId: z.string().max(LIMITS.volumeId) }).optional(),
  fips: z.boolean().default(false),
  filesystems: z.array(FilesystemCustomization).max(LIMITS.filesystems).optional(),
  directories: z.array(DirectoryCustomization).max(LIMITS.diskPaths).optional(),
  files: z.array(FileCustomization).max(LIMITS.files).optional(),
  disk: DiskCustomization.optional(),
});
export type Customizations = z.infer<typeof Customizations>;

export const Requester = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('slack'),
    userId: z.string().max(LIMITS.requesterField),
    channelId: z.string().max(LIMITS.requesterField),
    teamId: z.string().max(LIMITS.requesterField).optional(),
  }),
  z.strictObject({ kind: z.literal('cli'), user: z.string().max(LIMITS.requesterField) }),
]);
export type Requester = z.infer<typeof Requester>;

export const BuildRequest = z.strictObject({
  /** Fully qualified, tagged source bootc image reference (registry/path:tag[@digest]). */
  source: z.string().max(LIMITS.imageRef),
  /** Preset the source came from, when the user picked one (informational). */
  preset: z.string().max(LIMITS.preset).optional(),
  /** Builder: the config name and the image reference it resolved to at enqueue time. */
  builder: z.strictObject({ name: z.string().max(LIMITS.name), image: z.string().max(LIMITS.imageRef) }),
  /** The first (or only) image type asked for; `types` lists them all when there are several. */
  type: ImageTypeName,
  /** Every image type asked for, `type` first; absent means just `type`. */
  types: z.array(ImageTypeName).min(1).max(LIMITS.types).optional(),
  /**
   * A Containerfile whose first FROM is `source`: the worker builds it with podman and hands the result to the
   * builder instead of the source itself (derived image).
   */
  containerfile: z.string().max(LIMITS.containerfile).optional(),
  /** Payload image for `bootc-installer` (required for it, refused for the others). */
  installerPayloadRef: z.string().max(LIMITS.imageRef).optional(),
  arch: Arch,
  rootfs: Rootfs.optional(),
  customizations: Customizations.default({ users: [], fips: false }),
  requester: Requester,
  requestedAt: z.iso.datetime(),
  /** Build even when an identical build's ISO exists (otherwise that ISO is the answer, see identical-build.ts). */
  rebuild: z.boolean().default(false),
  /** Boot the ISO in QEMU before publishing it; a build whose ISO does not boot fails with BOOT_TEST_FAILED. */
  bootTest: z.boolean().optional(),
});
export type BuildRequest = z.infer<typeof BuildRequest>;
/** What producers pass in before defaults are applied. */
export type BuildRequestInput = z.input<typeof BuildRequest>;
