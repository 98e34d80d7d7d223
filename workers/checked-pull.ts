import type { Logger } from '../src/logger.ts';
import { checkImageSize, DEFAULT_MAX_IMAGE_GIB } from './image-size.ts';
import type { CommandOutput, Podman } from './podman.ts';
import type { SignaturePolicyFiles } from './signature-policy.ts';

export interface CheckedPullOptions {
  podman: Pick<Podman, 'pull' | 'imageSize'>;
  ref: string;
  registry: string;
  authFile: string;
  insecure: boolean;
  /** The build's architecture, for the size of a multi-arch image's entry. */
  arch: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** worker.maxImageGiB; the default when unset. */
  maxImageGiB: number | undefined;
  signatures: SignaturePolicyFiles;
  logger: Logger;
  onOutput?: (output: CommandOutput) => void;
}

/**
 * Refuses an image over worker.maxImageGiB from its registry manifest, before anything is pulled. A build checks
 * all its images this way before it pulls any, so a refused build leaves nothing on the host's disk.
 */
export async function checkPullSize(o: CheckedPullOptions): Promise<void> {
  const { imageSize } = o.podman;
  if (!imageSize) return;
  const sizeOptions = {
    authFile: o.authFile,
    insecure: o.insecure,
    arch: o.arch,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
  };
  await checkImageSize(
    o.ref,
    o.maxImageGiB ?? DEFAULT_MAX_IMAGE_GIB,
    () => imageSize(o.ref, sizeOptions),
    o.logger,
  );
}

/** `podman pull` through the signature policy written from the config. */
export async function pullWithPolicy(o: CheckedPullOptions): Promise<void> {
  o.logger.info({ ref: o.ref }, 'podman pull');
  await o.podman.pull({
    signaturePolicy: o.signatures.policyPath,
    ...(o.signatures.home ? { registriesHome: o.signatures.home } : {}),
    ref: o.ref,
    registry: o.registry,
    authFile: o.authFile,
    insecure: o.insecure,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    ...(o.onOutput ? { onOutput: o.onOutput } : {}),
  });
}

/**
 * The way a worker pulls one image: its size checked, then pulled through the signature policy. Builds and the
 * image warmer pull through these same checks, so an image a build would refuse is never put on the host's disk
 * by anyone.
 */
export async function checkedPull(o: CheckedPullOptions): Promise<void> {
  await checkPullSize(o);
  await pullWithPolicy(o);
}
