import { dirname, join } from 'node:path';
import type { SignatureRule } from '../../../src/config/access-schema.ts';
import type { Config } from '../../../src/config/load-config.ts';
import { registryOf } from '../../../src/domain/image-ref.ts';
import { checkImageSize, DEFAULT_MAX_IMAGE_GIB } from '../../image-size.ts';
import { writeSignaturePolicy } from '../../signature-policy.ts';
import { type BuildContext, required } from '../build-context.ts';
import type { Step } from '../step.ts';
import { registrySettings } from './login.ts';
import { checkFreeDisk, type DiskContext, freeBytes } from './preflight.ts';

export type PullContext = Pick<BuildContext, 'podman' | 'signal' | 'logger'> & {
  request: Pick<BuildContext['request'], 'source' | 'builder' | 'installerPayloadRef' | 'arch'>;
  settings: DiskContext['settings'] & {
    registries: Config['registries'];
    worker: { timeouts: { pullSeconds: number }; maxImageGiB?: number | undefined };
    /** Signature rules by registry or repository prefix; none: any image is accepted. */
    access?: { signatures?: Record<string, SignatureRule> | undefined } | undefined;
  };
  state: Pick<BuildContext['state'], 'paths' | 'log' | 'pulled' | 'timings'>;
  /** Replaced in tests. */
  readFree?: (path: string) => Promise<number>;
};

/**
 * Pulls the builder, the source and the payload side by side (they cost the slowest, not the sum) into root's
 * storage, where the builder finds them; it cannot pull itself. Each pull first reads the image's size from the
 * registry (refused over worker.maxImageGiB) and goes through the signature policy written from the config. When
 * one pull fails, the others are stopped at once, and the step ends only after every podman it started has
 * exited: none outlives the attempt. The free disk is checked again afterwards, since the images took some.
 */
export const pull: Step<PullContext> = {
  name: 'pull',
  shows: 'pull',
  describe: (ctx) => `pulling ${ctx.request.builder.image} and ${ctx.request.source}`,
  timeoutMs: (ctx) => (ctx.settings.worker.timeouts.pullSeconds + 30) * 1000,
  async run(ctx) {
    const { authFile } = required(ctx.state.paths, 'paths');
    const signatures = await writeSignaturePolicy(
      join(dirname(authFile), 'signatures'),
      ctx.settings.access?.signatures ?? {},
    );
    const siblings = new AbortController();
    // The first pull to fail is the cause; the others fail after it only because they were stopped.
    let cause: { error: unknown } | undefined;
    const signal = AbortSignal.any([ctx.signal, siblings.signal]);
    const one = async (timing: string, ref: string): Promise<string> => {
      const started = performance.now();
      const registry = registryOf(ref);
      const insecure = registrySettings(ctx.settings.registries, registry)?.insecure ?? false;
      const timeoutMs = ctx.settings.worker.timeouts.pullSeconds * 1000;
      try {
        const { imageSize } = ctx.podman;
        if (imageSize) {
          const options = { authFile, insecure, arch: ctx.request.arch, timeoutMs, signal };
          const maxGiB = ctx.settings.worker.maxImageGiB ?? DEFAULT_MAX_IMAGE_GIB;
          await checkImageSize(ref, maxGiB, () => imageSize(ref, options), ctx.logger);
        }
        ctx.logger.info({ ref }, 'podman pull');
        await ctx.podman.pull({
          signaturePolicy: signatures.policyPath,
          ...(signatures.home ? { registriesHome: signatures.home } : {}),
          ref,
          registry,
          authFile,
          insecure,
          timeoutMs,
          signal,
          onOutput: ({ argv, output }) => {
            ctx.state.log?.command(argv);
            ctx.state.log?.output(output);
          },
        });
        const digest = await ctx.podman.imageDigest(ref);
        ctx.state.log?.line(`pulled ${ref} as ${digest}`);
        return digest;
      } catch (error) {
        cause ??= { error };
        siblings.abort(`pull of ${ref} failed`);
        throw error;
      } finally {
        ctx.state.timings[timing] = Math.round(performance.now() - started);
      }
    };
    const { request } = ctx;
    const payload = request.installerPayloadRef;
    const settled = await Promise.allSettled([
      one('pullBuilder', request.builder.image),
      one('pullSource', request.source),
      ...(payload ? [one('pullPayload', payload)] : []),
    ]);
    if (cause) throw cause.error;
    const [builderDigest, sourceDigest, payloadDigest] = settled.map((s) =>
      s.status === 'fulfilled' ? s.value : '',
    );
    await checkFreeDisk(ctx, ctx.readFree ?? freeBytes, ' after pulling the images');
    ctx.state.pulled = {
      builderDigest: builderDigest ?? '',
      sourceDigest: sourceDigest ?? '',
      ...(payloadDigest ? { payloadDigest } : {}),
    };
  },
};
