import { execa } from 'execa';
import { childProcessEnv } from '../src/config/child-env.ts';
import { AppError } from '../src/domain/errors.ts';
import type { Logger } from '../src/logger.ts';
import { podmanErrorLine } from './podman-errors.ts';

const GIB = 1024 ** 3;
/** worker.maxImageGiB when unset: a bootc OS image is a few GiB; twenty leaves room and still bounds the pull. */
export const DEFAULT_MAX_IMAGE_GIB = 20;
const OCI_ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64' };

interface Descriptor {
  digest?: string;
  size?: number;
  platform?: { architecture?: string; os?: string };
}
interface Manifest {
  manifests?: Descriptor[];
  layers?: Descriptor[];
  config?: Descriptor;
}

export interface SizeOptions {
  authFile: string;
  insecure: boolean;
  arch: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The compressed size of an image (its layers and config, for this arch), from the registry's manifest before
 * anything is pulled, with `skopeo inspect --raw`. Credentials come from the attempt's auth file, never argv.
 * Undefined when skopeo is not installed (the caller decides what that means).
 */
export async function registryImageSize(ref: string, o: SizeOptions): Promise<number | undefined> {
  const inspect = async (target: string): Promise<Manifest | undefined> => {
    const tls = o.insecure ? ['--tls-verify=false'] : [];
    const result = await execa(
      'skopeo',
      ['inspect', '--raw', '--authfile', o.authFile, ...tls, `docker://${target}`],
      {
        // Like podman: only what skopeo needs, never the service's secrets.
        env: childProcessEnv(),
        extendEnv: false,
        reject: false,
        timeout: o.timeoutMs,
        ...(o.signal ? { cancelSignal: o.signal } : {}),
      },
    );
    if (result.code === 'ENOENT') return undefined;
    if (result.isCanceled)
      throw new AppError('CANCELLED', `size check of ${ref} stopped: the build was cancelled`);
    // Not an AppError: the size is a guard, not the judge of whether the image exists or may be read. The pull
    // that follows gives podman's own, classified answer.
    if (result.failed) throw new Error(podmanErrorLine(result.stderr));
    return JSON.parse(result.stdout) as Manifest;
  };
  const top = await inspect(ref);
  if (!top) return undefined;
  let manifest = top;
  if (top.manifests) {
    const arch = OCI_ARCH[o.arch] ?? o.arch;
    const entry = top.manifests.find(
      (m) => m.platform?.architecture === arch && (m.platform.os ?? 'linux') === 'linux',
    );
    if (!entry?.digest) throw new AppError('IMAGE_NOT_FOUND', `${ref} has no ${o.arch} image`);
    const repository = ref.replace(/[@:][^/]*$/, '');
    const inner = await inspect(`${repository}@${entry.digest}`);
    if (!inner) return undefined;
    manifest = inner;
  }
  return [...(manifest.layers ?? []), ...(manifest.config ? [manifest.config] : [])].reduce(
    (sum, d) => sum + (Number.isFinite(d.size) ? (d.size as number) : 0),
    0,
  );
}

/** 3.2 MiB, 12.5 GiB: a small image over a small limit must not read as "0.0 GiB". */
function sizeText(bytes: number): string {
  return bytes < GIB ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / GIB).toFixed(1)} GiB`;
}

/**
 * Refuses an image over `maxGiB` before it is pulled: a source image anyone may type must not fill the build
 * host's disk. Not retried: the image will be as large on any host.
 */
export async function checkImageSize(
  ref: string,
  maxGiB: number,
  measure: () => Promise<number | undefined>,
  logger: Logger,
): Promise<void> {
  let bytes: number | undefined;
  try {
    bytes = await measure();
  } catch (error) {
    if (error instanceof AppError) throw error;
    logger.warn({ ref, error: String(error) }, 'image size not readable from the registry; pulling anyway');
    return;
  }
  if (bytes === undefined) {
    logger.warn({ ref }, 'skopeo is not installed: image size not checked before the pull');
    return;
  }
  logger.info({ ref, bytes }, 'image size from the registry');
  if (bytes > maxGiB * GIB) {
    throw new AppError(
      'INVALID_REQUEST',
      `${ref} is ${sizeText(bytes)} compressed, over the ${maxGiB} GiB build hosts accept (worker.maxImageGiB)`,
    );
  }
}
