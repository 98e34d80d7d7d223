import type { HostCapabilities } from '../host-capabilities.ts';

/**
 * The readiness checks of a build host, each a pure function of what a probe found (probes.ts reads the host), so
 * every verdict and its advice is testable without the host. One result per check: ok, warn (builds may work, or
 * some will not) or fail (builds will fail here), with the fix in the operator's terms.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Short and stable: `root`, `podman`, `disk workDir`, `registry quay.io`... */
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

const GIB = 1024 ** 3;
const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
const warn = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  status: 'warn',
  detail,
  fix,
});
const fail = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  status: 'fail',
  detail,
  fix,
});

/** The builder needs rootful podman: it mounts root's image storage and makes loop devices. */
export function checkRoot(uid: number | undefined): CheckResult {
  if (uid === 0) return ok('root', 'running as root');
  return fail(
    'root',
    `running as uid ${uid ?? 'unknown'}; bootc-image-builder needs rootful podman`,
    'run the worker as root (the systemd unit does), or with sudo',
  );
}

/** podman answers, in a version the builder's documented command line works with. */
export function checkPodman(found: { version: string } | { error: string }): CheckResult {
  if ('error' in found) {
    return fail(
      'podman',
      `podman does not answer: ${found.error}`,
      'install podman (dnf/apt install podman), or set worker.podman to its path',
    );
  }
  const major = Number(/^(\d+)\./.exec(found.version)?.[1] ?? Number.NaN);
  if (!Number.isFinite(major))
    return warn('podman', `podman ${found.version}: version not understood`, 'use podman 4 or later');
  if (major < 4) return fail('podman', `podman ${found.version} is too old`, 'install podman 4 or later');
  return ok('podman', `podman ${found.version}`);
}

/** A trivial container really starts with the engine's configured OCI runtime (cgroups, ulimits, runtime all fine). */
export function checkContainerRun(
  found: { ran: true; runtime: string | null; image: string } | { ran: false; error: string; image?: string },
): CheckResult {
  if (found.ran) {
    return ok(
      'container',
      `a container of ${found.image} ran with the ${found.runtime ?? 'default'} runtime`,
    );
  }
  if (!found.image) {
    return warn(
      'container',
      'no image to start a test container from: no builder image is present',
      'fix the builder checks above, then run doctor again',
    );
  }
  return fail(
    'container',
    `a test container of ${found.image} did not run: ${found.error}`,
    'fix the OCI runtime (e.g. [engine] runtime = "runc" in containers.conf when crun cannot use the cgroups), or the ulimits ([containers] default_ulimits = [])',
  );
}

/** On an enforcing host the builder's osbuild stages need their own SELinux policy. */
export function checkSelinux(
  mode: 'enforcing' | 'permissive' | 'disabled',
  osbuildSelinux: boolean | null,
): CheckResult {
  if (mode !== 'enforcing') return ok('selinux', `SELinux ${mode}`);
  if (osbuildSelinux) return ok('selinux', 'SELinux enforcing, osbuild-selinux installed');
  return fail(
    'selinux',
    'SELinux is enforcing and osbuild-selinux is not installed: builds fail labelling files',
    'dnf install osbuild-selinux',
  );
}

/** Whether this host may build RHEL ISOs, and whether that agrees with what it advertises. */
export function checkEntitlement(host: HostCapabilities, rhelWanted: boolean): CheckResult {
  const problems = host.entitlementProblems;
  const entitled = host.capabilities.includes('rhel-entitlement');
  if (entitled && problems.length === 0)
    return ok('entitlement', `entitled RHEL host (${host.source}): takes RHEL ISO builds`);
  if (entitled) {
    return fail(
      'entitlement',
      `worker.capabilities declares rhel-entitlement, but ${problems.join('; ')}: RHEL ISO builds sent here will fail`,
      'register the host as said, or remove rhel-entitlement from worker.capabilities',
    );
  }
  const why = problems.length ? problems.join('; ') : 'worker.capabilities leaves rhel-entitlement out';
  if (!rhelWanted)
    return ok('entitlement', 'not an entitled RHEL host; no configured preset or builder needs one');
  return warn(
    'entitlement',
    `not an entitled RHEL host, so it takes no RHEL ISO builds: ${why}`,
    'on a RHEL host: subscription-manager register; RHEL ISO builds wait until some entitled host is online',
  );
}

/** Free space where the build writes (workDir) and where the images live (containerStorage). */
export function checkDisk(
  label: string,
  path: string,
  freeBytes: number | null,
  minFreeGiB: number,
): CheckResult {
  const name = `disk ${label}`;
  if (freeBytes === null) {
    return fail(
      name,
      `free space on ${path} cannot be read`,
      `create ${path}, or point worker.${label} at a readable directory`,
    );
  }
  const free = freeBytes / GIB;
  const shown = `${free.toFixed(1)} GiB free on ${path}`;
  if (free < minFreeGiB) {
    return fail(
      name,
      `${shown}, below worker.minFreeDiskGiB (${minFreeGiB})`,
      `free space on ${path} or move worker.${label} to a larger disk`,
    );
  }
  if (free < Math.max(minFreeGiB * 2, 20)) {
    return warn(
      name,
      `${shown}: a few builds fill it (a builder image, a source image and an ISO each take GBs)`,
      `keep 40 GiB or more free on ${path}`,
    );
  }
  return ok(name, shown);
}

/** The builder runs osbuild and a squashfs/erofs pass in memory-hungry steps; /tmp on tmpfs uses memory too. */
export function checkMemory(
  totalBytes: number,
  tmp: { tmpfs: boolean; freeBytes: number | null },
): CheckResult {
  const total = totalBytes / GIB;
  const tmpNote = tmp.tmpfs
    ? `; /tmp is a tmpfs with ${((tmp.freeBytes ?? 0) / GIB).toFixed(1)} GiB free`
    : '';
  const shown = `${total.toFixed(1)} GiB memory${tmpNote}`;
  if (total < 2)
    return fail(
      'memory',
      `${shown}: the builder needs at least 2 GiB`,
      'give the host 4 GiB of memory or more per concurrent build',
    );
  if (total < 4 || (tmp.tmpfs && (tmp.freeBytes ?? 0) < 2 * GIB)) {
    return warn(
      'memory',
      `${shown}: large images may not build`,
      'give the host 4 GiB of memory or more per concurrent build, and /tmp 2 GiB or more',
    );
  }
  return ok('memory', shown);
}

/** The builder attaches its images to loop devices; containers often run without them. */
export function checkLoopDevice(found: {
  control: boolean;
  free: string | null;
  error?: string;
}): CheckResult {
  if (!found.control) {
    return fail(
      'loop device',
      '/dev/loop-control is missing',
      'modprobe loop (and add loop to /etc/modules-load.d/); in a VM or container, give it loop devices',
    );
  }
  if (!found.free) {
    return fail(
      'loop device',
      `no free loop device: ${found.error ?? 'losetup -f found none'}`,
      'free some (losetup -D detaches unused ones) or raise max_loop',
    );
  }
  return ok('loop device', `free loop device ${found.free}`);
}

/** A configured registry accepts its credentials (a login into a throw-away auth file). */
export function checkRegistryLogin(
  registry: string,
  found: { loggedIn: true; username: string } | { anonymous: true } | { error: string; code: string },
): CheckResult {
  const name = `registry ${registry}`;
  if ('loggedIn' in found) return ok(name, `login as ${found.username} accepted`);
  if ('anonymous' in found) return ok(name, 'no credentials configured: pulls are anonymous');
  const fix =
    found.code === 'AUTH_FAILED'
      ? `fix registries."${registry}".username and password/passwordFile in the config`
      : found.code === 'CONFIG_INVALID'
        ? `fix registries."${registry}" in the config as the message says`
        : `check that ${registry} is reachable from this host (DNS, proxy, firewall)`;
  return fail(name, found.error, fix);
}

/** A builder image can be pulled with the configured credentials. */
export function checkBuilderPull(
  builder: string,
  image: string,
  found: { pulled: true } | { error: string; code: string },
): CheckResult {
  const name = `builder ${builder}`;
  if ('pulled' in found) return ok(name, `${image} pulled`);
  const registry = image.split('/')[0] ?? image;
  const fix =
    found.code === 'AUTH_FAILED'
      ? `add or fix the credentials for ${registry} under registries in the config`
      : found.code === 'IMAGE_NOT_FOUND'
        ? `fix builders.${builder}.image (or the credentials for ${registry}, if they may not read it)`
        : found.code === 'CONFIG_INVALID'
          ? `fix registries."${registry}" in the config as the message says`
          : found.code === 'INVALID_REQUEST'
            ? `use a smaller builder image, or raise worker.maxImageGiB if this host has the disk for it`
            : found.code === 'SIGNATURE_REJECTED'
              ? `sign ${image} with the key access.signatures names for it, or fix that rule`
              : `check that ${registry} is reachable from this host (DNS, proxy, firewall)`;
  return fail(name, `${image} cannot be pulled: ${found.error}`, fix);
}
