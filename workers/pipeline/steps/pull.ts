import { dirname, join } from 'node:path';
import type { SignatureRule } from '../../../src/config/access-schema.ts';
import type { Config } from '../../../src/config/load-config.ts';
import { registryOf } from '../../../src/domain/image-ref.ts';
import { type CheckedPullOptions, checkPullSize, pullWithPolicy } from '../../checked-pull.ts';
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
 * registry (all sizes before any pull, so a refused build leaves nothing on the disk; refused over
 * worker.maxImageGiB) and goes through the signature policy written from the config. When one fails, the others
 * are stopped at once, and the step ends only after every podman it started has
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
    // The first image to fail is the cause; the others fail after it only because they were stopped.
    let cause: { error: unknown } | undefined;
    const signal = AbortSignal.any([ctx.signal, siblings.signal]);
    const { request } = ctx;
    const payload = request.installerPayloadRef;
    const images = [
      { timing: 'pullBuilder', ref: request.builder.image },
      { timing: 'pullSource', ref: request.source },
      ...(payload ? [{ timing: 'pullPayload', ref: payload }] : []),
    ].map(({ timing, ref }) => {
      const registry = registryOf(ref);
      const options: CheckedPullOptions = {
        podman: ctx.podman,
        ref,
        registry,
        authFile,
        insecure: registrySettings(ctx.settings.registries, registry)?.insecure ?? false,
        arch: request.arch,
        timeoutMs: ctx.settings.worker.timeouts.pullSeconds * 1000,
        signal,
        maxImageGiB: ctx.settings.worker.maxImageGiB,
        signatures,
        logger: ctx.logger,
        onOutput: ({ argv, output }) => {
          ctx.state.log?.command(argv);
          ctx.state.log?.output(output);
        },
      };
      return { timing, options, started: performance.now() };
    });
    // Each phase runs for all images side by side and ends only after every command it started has exited.
    const phase = async <T>(work: (o: CheckedPullOptions) => Promise<T>): Promise<T[]> => {
      const settled = await Promise.allSettled(
        images.map(async (image) => {
          try {
            return await work(image.options);
          } catch (error) {
            cause ??= { error };
            siblings.abort(`${image.options.ref} failed`);
            throw error;
          } finally {
            ctx.state.timings[image.timing] = Math.round(performance.now() - image.started);
          }
        }),
      );
      if (cause) throw cause.error;
      return settled.map((s) => (s.status === 'fulfilled' ? s.value : (undefined as T)));
    };
    // Every size first: a build refused for one oversized image pulls none of the others.
    await phase(checkPullSize);
    const [builderDigest, sourceDigest, payloadDigest] = await phase(async (o) => {
      await pullWithPolicy(o);
      const digest = await ctx.podman.imageDigest(o.ref);
      ctx.state.log?.line(`pulled ${o.ref} as ${digest}`);
      return digest;
    });
    await checkFreeDisk(ctx, ctx.readFree ?? freeBytes, ' after pulling the images');
    ctx.state.pulled = {
      builderDigest: builderDigest ?? '',
      sourceDigest: sourceDigest ?? '',
      ...(payloadDigest ? { payloadDigest } : {}),
    };
  },
};
