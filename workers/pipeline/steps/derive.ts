import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../src/domain/errors.ts';
import { type BuildContext, required } from '../build-context.ts';
import type { Step } from '../step.ts';
import { BOOTC_LABEL, sourceMoved } from './check-source.ts';

export type DeriveContext = Pick<BuildContext, 'buildId' | 'podman' | 'logger' | 'signal' | 'progress'> & {
  request: Pick<BuildContext['request'], 'source' | 'containerfile'>;
  settings: {
    workerName: string;
    worker: { derive: { network: 'none' | 'host' | 'default'; timeoutSeconds: number } };
  };
  state: Pick<BuildContext['state'], 'paths' | 'log' | 'pulled' | 'derived'>;
};

/** The local tag of a build's derived image: never pushed anywhere, removed when the attempt ends. */
export function derivedTag(buildId: string): string {
  return `localhost/bootc-iso-derived:${buildId.toLowerCase()}`;
}

/**
 * The argv (after `podman build`) of a derived image. The context is a directory holding only the Containerfile,
 * so COPY and ADD reach nothing of the host; no volumes, no privileges, the operator's network; `--pull=never`
 * builds FROM the source exactly as pulled and checked.
 */
export function deriveArgs(ctx: DeriveContext, dir: string): string[] {
  const network = ctx.settings.worker.derive.network;
  return [
    '--file',
    join(dir, 'Containerfile'),
    '--tag',
    derivedTag(ctx.buildId),
    '--pull=never',
    // Fixed timestamps: the same Containerfile on the same source gives the same digest, so the identical-build
    // key (which includes that digest) can find an earlier build of it.
    '--timestamp',
    '0',
    ...(network === 'default' ? [] : ['--network', network]),
    // No build or host labels: they would make every build's digest differ. The local tag names the build.
    dir,
  ];
}

/**
 * Builds the request's Containerfile on top of the pulled source with podman, checks the result is still a bootc
 * image and hands it to the builder in place of the source (`state.derived`). The image is removed at clean-up.
 */
export const derive: Step<DeriveContext> = {
  name: 'derive',
  shows: 'pull',
  describe: () => 'building the derived image',
  planned: (ctx) => ctx.request.containerfile !== undefined,
  timeoutMs: (ctx) => (ctx.settings.worker.derive.timeoutSeconds + 60) * 1000,
  async run(ctx, scope) {
    const containerfile = required(ctx.request.containerfile, 'containerfile');
    const paths = required(ctx.state.paths, 'paths');
    const pulled = required(ctx.state.pulled, 'pulled');
    const log = ctx.state.log;
    const dir = join(paths.root, 'derive');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'Containerfile'), containerfile, { mode: 0o600 });
    const tag = derivedTag(ctx.buildId);
    const args = deriveArgs(ctx, dir);
    log?.command(['podman', 'build', ...args]);
    scope.defer('remove the derived image', async () => {
      await ctx.podman.removeImage(tag);
    });
    const result = await ctx.podman.buildImage(args, {
      timeoutMs: ctx.settings.worker.derive.timeoutSeconds * 1000,
      signal: ctx.signal,
      onLine: (line) => log?.line(line),
    });
    if (result.exitCode !== 0) {
      throw new AppError(
        'BUILDER_FAILED',
        `podman build of the Containerfile failed (exit code ${result.exitCode}); its output is in the build log`,
        { field: 'containerfile' },
      );
    }
    // The build ran FROM the tag: it must still be the digest that was pulled and checked.
    const now = await ctx.podman.imageDigest(ctx.request.source);
    if (now !== pulled.sourceDigest) throw sourceMoved(ctx.request.source, pulled.sourceDigest, now);
    const facts = await ctx.podman.inspectImage(tag);
    log?.line(`${tag}: ${facts.digest}, ${BOOTC_LABEL}=${facts.labels[BOOTC_LABEL] ?? '(not set)'}`);
    if (facts.labels[BOOTC_LABEL] !== '1') {
      throw new AppError(
        'NOT_BOOTC_IMAGE',
        `the derived image lost the label ${BOOTC_LABEL}=1 that bootc-image-builder requires; do not override it in the Containerfile`,
        { field: 'containerfile' },
      );
    }
    ctx.state.derived = { ref: tag, digest: facts.digest };
  },
};
