/**
 * Every image type the builder can make, and what each one exports. Whoever runs the builder looks the type up here
 * to find the file it wrote; whoever publishes it takes the name and media type from here. Adding a type is one row.
 *
 * Paths are relative to the builder's /output. All ISO types write `bootiso/install.iso`, whatever the image, so
 * two ISO types can never share one builder run; disk types have a directory each and may share one. `raw` and
 * `ami` are the same file (an AMI is a raw disk for upload, which this service leaves to the operator).
 */
export type ImageFamily = 'iso' | 'disk';

export interface ImageTypeSpec {
  family: ImageFamily;
  /** Directory under /output the builder writes this type into. */
  exportDir: string;
  /** File name inside exportDir. */
  fileName: string;
  /** Content type of the published object. */
  mediaType: string;
  /** Suffix of the name the artifact is published under (`<build-id>-<suffix>`). */
  publishSuffix: string;
}

export const IMAGE_TYPES = {
  iso: {
    family: 'iso',
    exportDir: 'bootiso',
    fileName: 'install.iso',
    mediaType: 'application/x-iso9660-image',
    publishSuffix: 'install.iso',
  },
  'anaconda-iso': {
    family: 'iso',
    exportDir: 'bootiso',
    fileName: 'install.iso',
    mediaType: 'application/x-iso9660-image',
    publishSuffix: 'anaconda-install.iso',
  },
  'bootc-installer': {
    family: 'iso',
    exportDir: 'bootiso',
    fileName: 'install.iso',
    mediaType: 'application/x-iso9660-image',
    publishSuffix: 'bootc-installer.iso',
  },
  qcow2: {
    family: 'disk',
    exportDir: 'qcow2',
    fileName: 'disk.qcow2',
    mediaType: 'application/x-qemu-disk',
    publishSuffix: 'disk.qcow2',
  },
  raw: {
    family: 'disk',
    exportDir: 'image',
    fileName: 'disk.raw',
    mediaType: 'application/octet-stream',
    publishSuffix: 'disk.raw',
  },
  ami: {
    family: 'disk',
    exportDir: 'image',
    fileName: 'disk.raw',
    mediaType: 'application/octet-stream',
    publishSuffix: 'ami.raw',
  },
  vmdk: {
    family: 'disk',
    exportDir: 'vmdk',
    fileName: 'disk.vmdk',
    mediaType: 'application/x-vmdk',
    publishSuffix: 'disk.vmdk',
  },
  vhd: {
    family: 'disk',
    exportDir: 'vpc',
    fileName: 'disk.vhd',
    mediaType: 'application/x-vhd',
    publishSuffix: 'disk.vhd',
  },
  gce: {
    family: 'disk',
    exportDir: 'gce',
    fileName: 'image.tar.gz',
    mediaType: 'application/gzip',
    publishSuffix: 'gce.tar.gz',
  },
} as const satisfies Record<string, ImageTypeSpec>;

export type ImageType = keyof typeof IMAGE_TYPES;
export const IMAGE_TYPE_NAMES = Object.keys(IMAGE_TYPES) as ImageType[];

export function imageTypeSpec(type: ImageType): ImageTypeSpec {
  return IMAGE_TYPES[type];
}

export function isImageType(value: string): value is ImageType {
  return Object.hasOwn(IMAGE_TYPES, value);
}

/** Where the builder leaves `type` under /output. */
export function outputPathFor(type: ImageType): string {
  const spec = IMAGE_TYPES[type];
  return `${spec.exportDir}/${spec.fileName}`;
}

/** The name a downloaded artifact gets: the build id first, so files of several builds never collide. */
export function publishedName(buildId: string, type: ImageType): string {
  return `${buildId}-${IMAGE_TYPES[type].publishSuffix}`;
}

/** The osbuild manifest the builder leaves beside the output: `manifest-<type>.json` for a single-type run. */
export function manifestFileFor(type: ImageType): string {
  return `manifest-${type}.json`;
}
