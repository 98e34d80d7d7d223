import { execa } from 'execa';
import { AppError } from '../src/domain/errors.ts';
import type { Logger } from '../src/logger.ts';
import { registryImageSize, type SizeOptions } from './image-size.ts';
import { LineSplitter } from './output-lines.ts';
import { classifyRegistryError, podmanErrorLine } from './podman-errors.ts';
import { type ImageFacts, parseImageInspect } from './podman-inspect.ts';

export type { ImageFacts };

/** The one place that runs podman. Every call is an argument vector (never a shell) with a timeout. */
export interface Podman {
  version(signal?: AbortSignal): Promise<string>;
  login(o: LoginOptions): Promise<void>;
  pull(o: PullOptions): Promise<void>;
  imageDigest(ref: string): Promise<string>;
  /** What the pipeline checks of a pulled image: its digest, architecture and labels. */
  inspectImage(ref: string): Promise<ImageFacts>;
  /** Runs `podman <args>` streaming each output line; aborting removes the named container too. */
  runContainer(args: string[], o: RunContainerOptions): Promise<{ exitCode: number; timedOut: boolean }>;
  removeContainer(name: string): Promise<void>;
  /** `podman build` with these arguments (after `build`), output streamed line by line. */
  buildImage(args: string[], o: BuildImageOptions): Promise<{ exitCode: number }>;
  /** `podman rmi`; false when podman refused (in use, not there). */
  removeImage(nameOrId: string): Promise<boolean>;
  containersWithLabel(label: string): Promise<string[]>;
  /**
   * An image's compressed size from its registry manifest, before any pull (skopeo; workers/image-size.ts).
   * Optional so build-step doubles need not have it; createPodman always does.
   */
  imageSize?(ref: string, o: SizeOptions): Promise<number | undefined>;
}

/** Image housekeeping for heartbeats and the old-image policy; kept apart so build-step doubles stay small. */
export interface PodmanImages {
  /** One entry per image (not per tag); names are `repo:tag`, digests `repo@sha256:…`. */
  listImages(): Promise<LocalImage[]>;
  /** `podman rmi` without --force: refuses images a container uses. True when it went. */
  removeImage(nameOrId: string): Promise<boolean>;
}

export interface LocalImage {
  id: string;
  names: string[];
  digests: string[];
  /** Containers (running or not) using the image. */
  containers: number;
  /** When the image was built (not pulled), in ms. */
  createdMs: number;
}

/** What a registry command wrote, for the build log (podman never echoes the password it reads on stdin). */
export interface CommandOutput {
  argv: string[];
  output: string;
}

export interface RegistryAccess {
  authFile: string;
  insecure: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Told the command and its output, success or not (the build log). */
  onOutput?: (o: CommandOutput) => void;
}

export interface LoginOptions extends RegistryAccess {
  registry: string;
  username: string;
  password: string;
}

export interface PullOptions extends RegistryAccess {
  ref: string;
  registry: string;
  /** The signature policy the pull must satisfy (workers/signature-policy.ts). */
  signaturePolicy?: string;
  /** A HOME holding .config/containers/registries.d: where the policy's signatures are found. */
  registriesHome?: string;
}

export interface RunContainerOptions {
  containerName: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onLine: (line: string) => void;
}

export interface BuildImageOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onLine: (line: string) => void;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface PodmanOptions {
  /**
   * The whole environment of every podman process: only what podman needs (PATH, HOME, containers config), never
   * the service's tokens or keys. Without it podman inherits nothing but PATH.
   */
  env?: Record<string, string>;
}

export function createPodman(
  executable: string,
  logger: Logger,
  options: PodmanOptions = {},
): Podman & PodmanImages {
  const env = options.env ?? { PATH: DEFAULT_PATH };
  const base = { env, extendEnv: false } as const;
  const run = (
    args: string[],
    options: { input?: string; timeoutMs: number; signal?: AbortSignal; env?: Record<string, string> },
  ) =>
    execa(executable, args, {
      ...base,
      input: options.input,
      ...(options.env ? { env: options.env } : {}),
      timeout: options.timeoutMs,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
      reject: false,
      stripFinalNewline: true,
    });

  const tls = (insecure: boolean) => (insecure ? ['--tls-verify=false'] : []);

  function failIfStopped(result: { isCanceled: boolean; timedOut: boolean }, what: string): void {
    if (result.isCanceled) throw new AppError('CANCELLED', `${what} stopped: the build was cancelled`);
    if (result.timedOut) throw new AppError('TIMEOUT', `${what} took too long and was stopped`);
  }

  return {
    async version(signal) {
      const result = await run(['version', '--format', '{{.Client.Version}}'], { timeoutMs: 30_000, signal });
      failIfStopped(result, 'podman version');
      if (result.failed) {
        const why =
          result.code === 'ENOENT' ? `"${executable}" is not installed` : podmanErrorLine(result.stderr);
        throw new AppError('PODMAN_UNAVAILABLE', `podman is not usable on this build host: ${why}`);
      }
      return result.stdout.trim();
    },

    async login(o) {
      // The password travels on stdin only: never on argv (visible in ps) or in logs.
      const args = [
        'login',
        '--authfile',
        o.authFile,
        ...tls(o.insecure),
        '--username',
        o.username,
        '--password-stdin',
        o.registry,
      ];
      const result = await run(args, { input: o.password, timeoutMs: o.timeoutMs, signal: o.signal });
      o.onOutput?.({ argv: ['podman', ...args], output: outputOf(result) });
      failIfStopped(result, `login to ${o.registry}`);
      if (result.failed) throw classifyRegistryError(result.stderr, { registry: o.registry });
    },

    async pull(o) {
      const policy = o.signaturePolicy ? ['--signature-policy', o.signaturePolicy] : [];
      const args = ['pull', '--quiet', '--authfile', o.authFile, ...policy, ...tls(o.insecure), o.ref];
      const result = await run(args, {
        timeoutMs: o.timeoutMs,
        signal: o.signal,
        // HOME leads podman to the registries.d written for this pull (where signatures are looked up).
        ...(o.registriesHome ? { env: { ...env, HOME: o.registriesHome } } : {}),
      });
      o.onOutput?.({ argv: ['podman', ...args], output: outputOf(result) });
      failIfStopped(result, `pull of ${o.ref}`);
      if (result.failed) throw classifyRegistryError(result.stderr, { registry: o.registry, ref: o.ref });
    },

    imageSize: registryImageSize,

    async imageDigest(ref) {
      const result = await run(['image', 'inspect', '--format', '{{.Digest}}', ref], { timeoutMs: 30_000 });
      if (result.failed) throw new AppError('IMAGE_NOT_FOUND', `image not found in local storage: ${ref}`);
      return result.stdout.trim();
    },

    async inspectImage(ref) {
      const result = await run(['image', 'inspect', '--format', 'json', ref], { timeoutMs: 30_000 });
      if (result.failed) throw new AppError('IMAGE_NOT_FOUND', `image not found in local storage: ${ref}`);
      return parseImageInspect(result.stdout, ref);
    },

    async runContainer(args, o) {
      // Output is read as it comes and never kept by execa (buffer: false): a builder writes for an hour.
      const child = execa(executable, args, {
        ...base,
        all: true,
        buffer: false,
        reject: false,
        timeout: o.timeoutMs,
        ...(o.signal ? { cancelSignal: o.signal } : {}),
      });
      // Killing the podman client does not stop the container it started: remove the container as well.
      const stopContainer = () => void this.removeContainer(o.containerName);
      o.signal?.addEventListener('abort', stopContainer, { once: true });
      const timer = setTimeout(stopContainer, o.timeoutMs);
      try {
        const lines = new LineSplitter(o.onLine);
        child.all?.on('data', (chunk: Buffer) => lines.push(chunk));
        const result = await child;
        lines.end();
        if (result.isCanceled || result.timedOut) await this.removeContainer(o.containerName);
        failIfStopped(result, 'the builder');
        return { exitCode: result.exitCode ?? -1, timedOut: false };
      } finally {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', stopContainer);
      }
    },

    async buildImage(args, o) {
      const child = execa(executable, ['build', ...args], {
        ...base,
        all: true,
        buffer: false,
        reject: false,
        timeout: o.timeoutMs,
        ...(o.signal ? { cancelSignal: o.signal } : {}),
      });
      const lines = new LineSplitter(o.onLine);
      child.all?.on('data', (chunk: Buffer) => lines.push(chunk));
      const result = await child;
      lines.end();
      failIfStopped(result, 'podman build');
      return { exitCode: result.exitCode ?? -1 };
    },

    async removeContainer(name) {
      const result = await run(['rm', '--force', '--time', '0', '--ignore', name], { timeoutMs: 60_000 });
      if (result.failed)
        logger.warn({ container: name, error: podmanErrorLine(result.stderr) }, 'podman rm failed');
    },

    async containersWithLabel(label) {
      const result = await run(['ps', '--all', '--filter', `label=${label}`, '--format', '{{.Names}}'], {
        timeoutMs: 60_000,
      });
      return result.failed ? [] : result.stdout.split('\n').filter(Boolean);
    },

    async listImages() {
      const result = await run(['images', '--format', 'json'], { timeoutMs: 60_000 });
      if (result.failed) throw new AppError('PODMAN_UNAVAILABLE', podmanErrorLine(result.stderr));
      return parseImageList(result.stdout);
    },

    async removeImage(nameOrId) {
      const result = await run(['rmi', nameOrId], { timeoutMs: 120_000 });
      if (result.failed)
        logger.debug({ image: nameOrId, error: podmanErrorLine(result.stderr) }, 'podman rmi refused');
      return !result.failed;
    },
  };
}

function outputOf(result: { stdout: unknown; stderr: unknown }): string {
  return [result.stdout, result.stderr].filter((t) => typeof t === 'string' && t !== '').join('\n');
}

/** `podman images --format json` lists an image once per tag: merge them by id. */
export function parseImageList(stdout: string): LocalImage[] {
  const rows: unknown = JSON.parse(stdout.trim() || '[]');
  const byId = new Map<string, LocalImage>();
  for (const row of Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []) {
    if (typeof row.Id !== 'string') continue;
    const strings = (v: unknown) =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    const image = byId.get(row.Id) ?? {
      id: row.Id,
      names: [],
      digests: [],
      containers: typeof row.Containers === 'number' ? row.Containers : 0,
      createdMs: typeof row.Created === 'number' ? row.Created * 1000 : 0,
    };
    image.names = [...new Set([...image.names, ...strings(row.Names)])];
    image.digests = [...new Set([...image.digests, ...strings(row.RepoDigests)])];
    byId.set(row.Id, image);
  }
  return [...byId.values()];
}
