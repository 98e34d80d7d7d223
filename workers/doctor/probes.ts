import { access, mkdtemp, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { childProcessEnv } from '../../src/config/child-env.ts';
import type { Config } from '../../src/config/load-config.ts';
import { AppError, asAppError } from '../../src/domain/errors.ts';
import { hostArch } from '../../src/domain/host-arch.ts';
import type { Logger } from '../../src/logger.ts';
import { checkedPull } from '../checked-pull.ts';
import { type EntitlementFacts, readEntitlementFacts } from '../host-capabilities.ts';
import { createPodman } from '../podman.ts';
import { podmanErrorLine } from '../podman-errors.ts';
import { writeSignaturePolicy } from '../signature-policy.ts';

type RegistrySettings = Config['registries'][string];

/** What the doctor asks of the host; probes.ts answers for real, tests answer with fixed facts. */
export interface DoctorProbes {
  uid(): number | undefined;
  podmanVersion(): Promise<{ version: string } | { error: string }>;
  /** Starts `true` in a container of `image` (already present), with the engine's configured runtime. */
  runContainer(
    image: string,
  ): Promise<
    { ran: true; runtime: string | null; image: string } | { ran: false; error: string; image: string }
  >;
  selinux(): Promise<{ mode: 'enforcing' | 'permissive' | 'disabled'; osbuildSelinux: boolean | null }>;
  entitlement(): Promise<EntitlementFacts>;
  freeBytes(path: string): Promise<number | null>;
  memory(): Promise<{ totalBytes: number; tmp: { tmpfs: boolean; freeBytes: number | null } }>;
  loop(): Promise<{ control: boolean; free: string | null; error?: string }>;
  /** Runs `use` with a private auth file that is deleted afterwards (logins never touch root's own). */
  withAuthFile<T>(use: (authFile: string) => Promise<T>): Promise<T>;
  login(registry: string, settings: RegistrySettings, authFile: string): Promise<void>;
  pull(image: string, registry: string, authFile: string): Promise<void>;
}

const PROBE_TIMEOUT_MS = 30_000;

async function run(file: string, args: string[], signal?: AbortSignal, timeoutMs = PROBE_TIMEOUT_MS) {
  return execa(file, args, {
    // Like the worker's own children: only what podman needs (its storage and config), none of the secrets.
    env: childProcessEnv(),
    extendEnv: false,
    reject: false,
    timeout: timeoutMs,
    stripFinalNewline: true,
    ...(signal ? { cancelSignal: signal } : {}),
  });
}

/** Read at check time, as the worker does at login time. */
async function passwordOf(registry: string, settings: RegistrySettings): Promise<string> {
  if (settings.password !== undefined) return settings.password;
  if (!settings.passwordFile) return '';
  try {
    return (await readFile(settings.passwordFile, 'utf8')).replace(/\r?\n$/, '');
  } catch {
    throw new AppError(
      'CONFIG_INVALID',
      `the password file for ${registry} (${settings.passwordFile}) cannot be read; fix registries."${registry}".passwordFile`,
    );
  }
}

/** The real host. `signal` stops every podman and helper process at once (a worker that stops meanwhile). */
export function hostProbes(
  config: Pick<Config, 'worker' | 'registries'> & {
    access?: { signatures?: Config['access']['signatures'] | undefined } | undefined;
  },
  logger: Logger,
  signal?: AbortSignal,
): DoctorProbes {
  const sig = signal ? { signal } : {};
  const executable = config.worker.podman;
  const podman = createPodman(executable, logger, { env: childProcessEnv() });
  const insecure = (registry: string) => config.registries[registry]?.insecure ?? false;
  return {
    uid: () => process.getuid?.(),
    async podmanVersion() {
      try {
        return { version: await podman.version(signal) };
      } catch (error) {
        return { error: asAppError(error).message };
      }
    },
    async runContainer(image) {
      const info = await run(executable, ['info', '--format', '{{.Host.OCIRuntime.Name}}'], signal);
      const result = await run(
        executable,
        ['run', '--rm', '--pull=never', '--network=none', '--entrypoint', 'true', image],
        signal,
        120_000,
      );
      if (result.failed)
        return { ran: false, error: podmanErrorLine(result.stderr || String(result.message)), image };
      return { ran: true, runtime: info.failed ? null : info.stdout.trim() || null, image };
    },
    async selinux() {
      const enforce = await readFile('/sys/fs/selinux/enforce', 'utf8').catch(() => undefined);
      const mode = enforce === undefined ? 'disabled' : enforce.trim() === '1' ? 'enforcing' : 'permissive';
      const rpm = await run('rpm', ['-q', 'osbuild-selinux'], signal);
      const osbuildSelinux = rpm.code === 'ENOENT' ? null : rpm.exitCode === 0;
      return { mode, osbuildSelinux };
    },
    entitlement: () => readEntitlementFacts(),
    async freeBytes(path) {
      try {
        const fs = await statfs(path);
        return fs.bavail * fs.bsize;
      } catch {
        return null;
      }
    },
    async memory() {
      const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
      const tmpfs = mounts.split('\n').some((line) => {
        const [, point, type] = line.split(' ');
        return point === '/tmp' && type === 'tmpfs';
      });
      const fs = await statfs('/tmp').catch(() => undefined);
      return { totalBytes: totalmem(), tmp: { tmpfs, freeBytes: fs ? fs.bavail * fs.bsize : null } };
    },
    async loop() {
      const control = await access('/dev/loop-control').then(
        () => true,
        () => false,
      );
      if (!control) return { control, free: null };
      const result = await run('losetup', ['-f'], signal);
      if (result.failed) {
        const error =
          result.code === 'ENOENT'
            ? 'losetup is not installed (util-linux)'
            : result.stderr.trim() || 'losetup -f failed';
        return { control, free: null, error };
      }
      return { control, free: result.stdout.trim() || null };
    },
    async withAuthFile(use) {
      const dir = await mkdtemp(join(tmpdir(), 'bootc-iso-doctor-'));
      const authFile = join(dir, 'auth.json');
      // podman refuses a pull whose --authfile does not exist; anonymous registries leave it as written here.
      await writeFile(authFile, '{"auths":{}}\n', { mode: 0o600 });
      try {
        return await use(authFile);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async login(registry, settings, authFile) {
      await podman.login({
        registry,
        username: settings.username ?? '',
        password: await passwordOf(registry, settings),
        authFile,
        insecure: settings.insecure,
        timeoutMs: config.worker.timeouts.loginSeconds * 1000,
        ...sig,
      });
    },
    async pull(image, registry, authFile) {
      // Through the size limit and signature policy a build pulls with: the doctor never puts on the disk an
      // image a build would refuse, and reports such a builder as the build would.
      const signatures = await writeSignaturePolicy(
        join(dirname(authFile), 'signatures'),
        config.access?.signatures ?? {},
      );
      await checkedPull({
        podman,
        ref: image,
        registry,
        authFile,
        insecure: insecure(registry),
        arch: hostArch(),
        timeoutMs: config.worker.timeouts.pullSeconds * 1000,
        signal: signal ?? new AbortController().signal,
        maxImageGiB: config.worker.maxImageGiB,
        signatures,
        logger,
      });
    },
  };
}
