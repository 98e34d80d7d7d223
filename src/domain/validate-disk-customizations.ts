import type { BuildRequest } from './build-request.ts';
import { MODE, pathProblem, under } from './disk-paths.ts';
import type { AppError } from './errors.ts';
import { hasFamily, requestedTypes } from './image-runs.ts';
import { invalidRequest, quoteForMessage } from './text-rules.ts';
import { checkPartitioning } from './validate-partitioning.ts';

type Report = (error: AppError) => void;

/**
 * Subdirectories of /var that cannot be partitions: symlinks (or tmpfs) on a bootc system. The builder's own list of
 * refused mountpoints.
 */
const VAR_DENIED = [
  '/var/home',
  '/var/lock',
  '/var/mail',
  '/var/mnt',
  '/var/roothome',
  '/var/run',
  '/var/srv',
  '/var/usrlocal',
];

/**
 * What the builder allows for a size of the image's own partitions (`filesystems`): "/" and "/boot", and new
 * partitions under /var only (not /var itself, not its symlinks); with a btrfs root only "/" and "/boot", since it
 * cannot make subvolumes at build time.
 */
function mountpointProblem(mountpoint: string, rootfs: string | undefined): string | undefined {
  if (mountpoint === '/' || mountpoint === '/boot') return undefined;
  if (rootfs === 'btrfs')
    return `${mountpoint}: with a btrfs root only / and /boot can be sized; use customizations.disk for more partitions`;
  if (!under(mountpoint, '/var') || mountpoint === '/var')
    return `${mountpoint} cannot be a partition: the builder takes / and /boot (sizes) and new partitions under /var/ only`;
  const denied = VAR_DENIED.find((d) => under(mountpoint, d));
  if (denied) return `${mountpoint} cannot be a partition: ${denied} is a symlink on a bootc system`;
  return undefined;
}

/**
 * Partitions, directories and files are disk-image settings: the builder refuses them for ISOs (partitioning of an
 * installed system belongs in the kickstart). A request with them must ask for a disk type; they then reach the
 * disk run's config only.
 */
export function checkDiskCustomizations(req: BuildRequest, report: Report): void {
  const c = req.customizations;
  const set: [string, boolean][] = [
    ['customizations.filesystems', (c.filesystems?.length ?? 0) > 0],
    ['customizations.directories', (c.directories?.length ?? 0) > 0],
    ['customizations.files', (c.files?.length ?? 0) > 0],
    ['customizations.disk', c.disk !== undefined],
  ];
  if (!hasFamily(requestedTypes(req), 'disk')) {
    for (const [field, on] of set)
      if (on)
        report(
          invalidRequest(
            field,
            `${field}: only disk images take partitions, directories and files (ISOs: use the kickstart); add a disk type such as qcow2, or remove it`,
          ),
        );
    return;
  }
  checkPartitioning(req, report);
  const mounts = new Set<string>();
  for (const [i, f] of (c.filesystems ?? []).entries()) {
    const field = `customizations.filesystems[${i}].mountpoint`;
    const bad = pathProblem(f.mountpoint, `filesystem ${i + 1}`);
    if (bad) {
      report(invalidRequest(field, bad));
      continue;
    }
    const refused = mountpointProblem(f.mountpoint, req.rootfs);
    if (refused) report(invalidRequest(field, `filesystem ${i + 1}: ${refused}`));
    if (mounts.has(f.mountpoint))
      report(invalidRequest(field, `filesystem ${i + 1}: ${f.mountpoint} is listed twice`));
    mounts.add(f.mountpoint);
  }
  const entries = [
    ...(c.directories ?? []).map((d, i) => ({
      ...d,
      field: `customizations.directories[${i}]`,
      what: `directory ${i + 1}`,
    })),
    ...(c.files ?? []).map((f, i) => ({ ...f, field: `customizations.files[${i}]`, what: `file ${i + 1}` })),
  ];
  for (const e of entries) {
    const bad = pathProblem(e.path, e.what);
    if (bad) report(invalidRequest(`${e.field}.path`, bad));
    else if (!under(e.path, '/etc') && !under(e.path, '/var') && !under(e.path, '/root'))
      report(
        invalidRequest(
          `${e.field}.path`,
          `${e.what}: ${e.path} is not under /etc, /var or /root, the only places a bootc system keeps`,
        ),
      );
    if (e.mode !== undefined && !MODE.test(e.mode))
      report(
        invalidRequest(
          `${e.field}.mode`,
          `${e.what}: mode ${quoteForMessage(e.mode, 10)} is not octal like 0644`,
        ),
      );
  }
}
