import type { ImageType } from '../../domain/image-types.ts';

/** The image types the form offers, in its order, each with a line on what it is for. */
export const TYPE_OPTIONS: { value: ImageType; text: string; description: string }[] = [
  {
    value: 'iso',
    text: 'Installer ISO',
    description: 'Unattended: installs to the first disk and wipes it',
  },
  {
    value: 'anaconda-iso',
    text: 'anaconda-iso',
    description: 'The same installer under its upstream type name',
  },
  {
    value: 'bootc-installer',
    text: 'bootc-installer',
    description: 'Installer image plus a separate payload image (below)',
  },
  { value: 'qcow2', text: 'qcow2', description: 'Disk image for QEMU/KVM and OpenStack' },
  { value: 'raw', text: 'raw', description: 'Raw disk image, to write to a disk' },
  { value: 'ami', text: 'ami', description: 'Raw disk for AWS (upload it yourself)' },
  { value: 'vmdk', text: 'vmdk', description: 'Disk image for VMware' },
  { value: 'vhd', text: 'vhd', description: 'Disk image for Hyper-V and Azure' },
  { value: 'gce', text: 'gce', description: 'Google Compute Engine image (tar.gz)' },
];

/** What an empty type choice means. */
export const TYPES_DEFAULT_HINT =
  "None ticked: the preset's types (shown next to it), else an installer ISO.";

/** Said where the type is picked: the default kickstart wipes the first disk without asking. */
export const ISO_TYPE_HINT =
  'A default ISO (no kickstart) installs unattended: booting it erases the first disk and installs there without asking. Give a kickstart to choose the disk.';
