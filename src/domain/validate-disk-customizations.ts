import type { BuildRequest } from './build-request.ts';
import type { AppError } from './errors.ts';
import { hasFamily, requestedTypes } from './image-runs.ts';
import { invalidRequest, quoteForMessage } from './text-rules.ts';

type Report = (error: AppError) => void;

/** An absolute path as the builder wants it: no "..", no "//", no trailing "/", printable ASCII without spaces. */
const PATH = /^\/(?:[A-Za-z0-9_.@+-]+\/)*[A-Za-z0-9_.@+-]*$/;
const MODE = /^0?[0-7]{3}$/;
/** Managed by the image itself on a bootc system: a partition or a file here would be replaced on update. */
const IMAGE_OWNED = ['/usr', '/sysroot', '/ostree', '/boot/efi'];

function pathProblem(path: string, label: string): string | undefined {
  if (!PATH.test(path) || path.split('/').some((p) => p === '..' || p === '.'))
    return `${label}: ${quoteForMessage(path, 80)} is not a clean absolute path (like /var/data)`;
  return undefined;
}

const under = (path: string, root: string) => path === root || path.startsWith(`${root}/`);

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
  const mounts = new Set<string>();
  for (const [i, f] of (c.filesystems ?? []).entries()) {
    const field = `customizations.filesystems[${i}].mountpoint`;
    const bad = pathProblem(f.mountpoint, `filesystem ${i + 1}`);
    if (bad) {
      report(invalidRequest(field, bad));
      continue;
    }
    if (IMAGE_OWNED.some((root) => under(f.mountpoint, root)))
      report(
        invalidRequest(
          field,
          `filesystem ${i + 1}: ${f.mountpoint} belongs to the bootc image and cannot be a partition`,
        ),
      );
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
