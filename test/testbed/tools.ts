import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian package that provides each test-bed binary. */
const PACKAGE_OF: Record<string, string> = {
  podman: 'podman',
  runc: 'runc',
  'docker-registry': 'docker-registry',
  xorriso: 'xorriso',
  busybox: 'busybox-static',
  htpasswd: 'apache2-utils',
  'redis-server': 'redis-server',
  file: 'file',
  tar: 'tar',
  umount: 'mount',
  'qemu-system-x86_64': 'qemu-system-x86',
  'qemu-img': 'qemu-utils',
};

/** Absolute path of `name` on PATH (plus the sbin directories, where runc lives), or undefined. */
export function findTool(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const extra of ['/usr/local/sbin', '/usr/sbin', '/sbin']) {
    if (!dirs.includes(extra)) dirs.push(extra);
  }
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Names from `names` that are not installed. */
export function missingTools(names: string[]): string[] {
  return names.filter((name) => findTool(name) === undefined);
}

/** Throws naming the missing binaries and the apt-get line that installs them. Call it in beforeAll: never skip in CI. */
export function requireTools(names: string[]): void {
  const missing = missingTools(names);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((name) => PACKAGE_OF[name] ?? name))];
  throw new Error(
    `missing testbed tool(s): ${missing.join(', ')} — install with: apt-get install -y ${packages.join(' ')}`,
  );
}
