import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { assembleBusyboxRootfs, tarRootfs } from './rootfs.ts';
import { findTool } from './tools.ts';
import { makeTempDir, TEMP_PREFIX } from './util.ts';

export interface PodmanEnv {
  /**
   * Pass to every podman child (and to a worker process): CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and
   * REGISTRY_AUTH_FILE (so `podman login` never writes root's shared /run/containers/0/auth.json).
   */
  env: Record<string, string>;
  /** Storage root; mount it as /var/lib/containers/storage into the builder. */
  graphRoot: string;
  runRoot: string;
  dir: string;
  /** What the probe found this machine needs (empty when podman's defaults work). */
  settings: EngineSettings;
  cleanup(): Promise<void>;
}

export interface EngineSettings {
  /** Set when the default OCI runtime (crun on most hosts) fails and runc works. */
  runtime?: 'runc';
  /** Set when podman's default ulimits cannot be applied (setrlimit: Operation not permitted). */
  noDefaultUlimits?: boolean;
}

/** Runs podman with the isolated configuration; rejects with execa's error (command, exit code, stderr). */
export async function podman(
  penv: Pick<PodmanEnv, 'env'>,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  const result = await execa('podman', args, {
    env: penv.env,
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
    timeout: opts.timeoutMs ?? 600_000,
  });
  return { stdout: result.stdout, stderr: result.stderr };
}

function containersConf(settings: EngineSettings): string {
  const lines = ['# bootc-iso test bed. Only what the probe found necessary on this machine.'];
  if (settings.noDefaultUlimits) lines.push('[containers]', 'default_ulimits = []', '');
  if (settings.runtime) lines.push('[engine]', `runtime = "${settings.runtime}"`, '');
  return `${lines.join('\n')}\n`;
}

function storageConf(graphRoot: string, runRoot: string): string {
  return ['[storage]', 'driver = "overlay"', `graphroot = "${graphRoot}"`, `runroot = "${runRoot}"`, ''].join(
    '\n',
  );
}

let detected: Promise<EngineSettings> | undefined;

/**
 * "Detect, don't force": run a trivial container with podman's defaults and, only if that fails, with
 * `default_ulimits = []` and/or `runtime = "runc"`. Done once per process; the answer goes into every env.
 */
function detectEngineSettings(penv: {
  env: Record<string, string>;
  confPath: string;
}): Promise<EngineSettings> {
  detected ??= probe(penv).catch((err) => {
    detected = undefined;
    throw err;
  });
  return detected;
}

async function probe(penv: { env: Record<string, string>; confPath: string }): Promise<EngineSettings> {
  const ref = 'localhost/bootc-iso-testbed-probe:1';
  const work = await makeTempDir('probe');
  const failures: string[] = [];
  try {
    const rootfs = join(work, 'rootfs');
    await assembleBusyboxRootfs(rootfs);
    await tarRootfs(rootfs, join(work, 'rootfs.tar'));
    await podman(penv, ['import', '--quiet', join(work, 'rootfs.tar'), ref]);
    const candidates: EngineSettings[] = [{}, { noDefaultUlimits: true }];
    if (findTool('runc') !== undefined)
      candidates.push({ runtime: 'runc' }, { runtime: 'runc', noDefaultUlimits: true });
    for (const settings of candidates) {
      await writeFile(penv.confPath, containersConf(settings));
      const result = await execa(
        'podman',
        ['run', '--rm', '--pull=never', ref, '/bin/sh', '-c', 'echo probe-ok'],
        {
          env: penv.env,
          stdin: 'ignore',
          reject: false,
          timeout: 120_000,
        },
      );
      if (result.exitCode === 0 && result.stdout.includes('probe-ok')) return settings;
      failures.push(`${JSON.stringify(settings)}: ${result.stderr.trim() || result.shortMessage}`);
    }
  } finally {
    await execa('podman', ['rmi', '-f', ref], { env: penv.env, stdin: 'ignore', reject: false });
    await rm(work, { recursive: true, force: true });
  }
  throw new Error(`podman cannot run a trivial container on this machine:\n${failures.join('\n')}`);
}

function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Mount points at or below `dir`, deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const table = await readFile('/proc/mounts', 'utf8');
  const found = table
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((field): field is string => field !== undefined)
    .map(unescapeMountPath)
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`));
  return [...new Set(found)].sort((a, b) => b.length - a.length);
}

async function unmountAll(dir: string): Promise<void> {
  for (const mp of await mountsUnder(dir)) {
    const result = await execa('umount', [mp], { reject: false, stdin: 'ignore' });
    if (result.exitCode !== 0) await execa('umount', ['-l', mp], { reject: false, stdin: 'ignore' });
  }
}

/**
 * podman's runroot must stay short: with a runroot longer than 50 characters every `podman run` hangs for 20 s
 * ("Exceeded conmon timeout waiting for container to exit", podman 4.3 + conmon 2.1), and a long TMPDIR (as in CI)
 * would produce one. So the runroot lives in /run (or /tmp), not in the env's temp dir; storage.conf names it.
 */
async function makeRunRoot(): Promise<string> {
  let lastError: unknown;
  for (const base of ['/run', '/tmp']) {
    try {
      const runRoot = await mkdtemp(join(base, `${TEMP_PREFIX}run-`));
      if (runRoot.length <= 50) return runRoot;
      await rm(runRoot, { recursive: true, force: true });
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`podman: cannot create a short runroot in /run or /tmp: ${String(lastError)}`);
}

/**
 * An isolated rootful podman: its own containers.conf, storage.conf (graphroot in a temp dir, runroot in a short
 * /run/bootc-iso-testbed-run-* dir) and auth file, exposed as environment variables.
 */
export async function createPodmanEnv(): Promise<PodmanEnv> {
  const dir = await makeTempDir('podman');
  const graphRoot = join(dir, 'root');
  let runRoot: string;
  try {
    runRoot = await makeRunRoot();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const confPath = join(dir, 'containers.conf');
  const storagePath = join(dir, 'storage.conf');
  const env = {
    CONTAINERS_CONF: confPath,
    CONTAINERS_STORAGE_CONF: storagePath,
    REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
  };
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      await execa('podman', ['rm', '--all', '--force', '--time', '0'], {
        env,
        stdin: 'ignore',
        reject: false,
      });
      await execa('podman', ['rmi', '--all', '--force'], { env, stdin: 'ignore', reject: false });
      const left: string[] = [];
      for (const root of [runRoot, dir]) {
        await unmountAll(root);
        await rm(root, { recursive: true, force: true, maxRetries: 3 });
        left.push(...(await mountsUnder(root)));
      }
      if (left.length > 0) throw new Error(`podman cleanup: still mounted: ${left.join(', ')}`);
    })();
    return cleaning;
  };
  try {
    await writeFile(storagePath, storageConf(graphRoot, runRoot));
    // podman refuses to start when REGISTRY_AUTH_FILE names a missing file.
    await writeFile(env.REGISTRY_AUTH_FILE, '{"auths":{}}\n', { mode: 0o600 });
    await writeFile(confPath, containersConf({}));
    const settings = await detectEngineSettings({ env, confPath });
    await writeFile(confPath, containersConf(settings));
    return { env, graphRoot, runRoot, dir, settings, cleanup };
  } catch (err) {
    await cleanup().catch(() => {});
    throw err;
  }
}
