import type { Arch } from '../../../src/domain/build-request.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { type BuildContext, required } from '../build-context.ts';
import type { Step } from '../step.ts';

/** The label the builder looks for before it builds; without it, it fails late with "not a bootc image". */
export const BOOTC_LABEL = 'containers.bootc';

/** The names container images use for each build architecture. */
export const OCI_ARCH: Record<Arch, string> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  s390x: 's390x',
  ppc64le: 'ppc64le',
  riscv64: 'riscv64',
};

export type CheckSourceContext = Pick<BuildContext, 'podman'> & {
  request: Pick<BuildContext['request'], 'source' | 'arch'>;
  state: Pick<BuildContext['state'], 'pulled' | 'log'>;
};

/**
 * What the builder would find wrong only after minutes, or not at all, is checked on the pulled source before it
 * starts: the bootc label, and the architecture (a foreign-arch image would make an ISO that cannot boot here).
 * The digest must be the one just pulled: another build may have moved the tag meanwhile.
 */
export const checkSource: Step<CheckSourceContext> = {
  name: 'check-source',
  shows: 'pull',
  describe: (ctx) => `checking ${ctx.request.source}`,
  timeoutMs: () => 60_000,
  async run(ctx) {
    const { source, arch } = ctx.request;
    const pulled = required(ctx.state.pulled, 'pulled');
    const facts = await ctx.podman.inspectImage(source);
    ctx.state.log?.line(
      `${source}: ${facts.digest}, architecture ${facts.architecture || 'unknown'}, ${BOOTC_LABEL}=${facts.labels[BOOTC_LABEL] ?? '(not set)'}`,
    );
    if (facts.labels[BOOTC_LABEL] !== '1') {
      throw new AppError(
        'NOT_BOOTC_IMAGE',
        `${source} is not a bootc image: it lacks the label ${BOOTC_LABEL}=1 that bootc-image-builder requires (build it FROM a bootc base image)`,
        { field: 'source' },
      );
    }
    const want = OCI_ARCH[arch];
    if (facts.architecture !== want) {
      throw new AppError(
        'ARCH_MISMATCH',
        `${source} is for architecture ${facts.architecture || 'unknown'}, but this build is for ${arch} (${want}): choose the ${arch} variant of the image or another architecture`,
        { field: 'arch' },
      );
    }
    if (facts.digest !== pulled.sourceDigest) throw sourceMoved(source, pulled.sourceDigest, facts.digest);
  },
};

export function sourceMoved(source: string, pulled: string, now: string): AppError {
  return new AppError(
    'SOURCE_CHANGED',
    `${source} changed on this build host after it was pulled (pulled ${pulled}, now ${now}); the build will pull it again`,
  );
}
