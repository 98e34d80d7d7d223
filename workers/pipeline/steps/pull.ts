import type { Config } from '../../../src/config/load-config.ts';
import { registryOf } from '../../../src/domain/image-ref.ts';
import { type BuildContext, required } from '../build-context.ts';
import type { Step } from '../step.ts';
import { registrySettings } from './login.ts';

export type PullContext = Pick<BuildContext, 'podman' | 'signal' | 'logger'> & {
  request: Pick<BuildContext['request'], 'source' | 'builder' | 'installerPayloadRef'>;
  settings: {
    registries: Config['registries'];
    worker: { timeouts: { pullSeconds: number } };
  };
  state: Pick<BuildContext['state'], 'paths' | 'log' | 'pulled' | 'timings'>;
};

/**
 * Pulls the builder, the source and the payload side by side (they cost the slowest, not the sum) into root's
 * storage, where the builder finds them; it cannot pull itself. When one pull fails, the others are stopped at
 * once, and the step ends only after every podman it started has exited: none outlives the attempt.
 */
export const pull: Step<PullContext> = {
  name: 'pull',
  shows: 'pull',
  describe: (ctx) => `pulling ${ctx.request.builder.image} and ${ctx.request.source}`,
  timeoutMs: (ctx) => (ctx.settings.worker.timeouts.pullSeconds + 30) * 1000,
  async run(ctx) {
    const { authFile } = required(ctx.state.paths, 'paths');
    const siblings = new AbortController();
    // The first pull to fail is the cause; the others fail after it only because they were stopped.
    let cause: { error: unknown } | undefined;
    const signal = AbortSignal.any([ctx.signal, siblings.signal]);
    const one = async (timing: string, ref: string): Promise<string> => {
      const started = performance.now();
      const registry = registryOf(ref);
      ctx.logger.info({ ref }, 'podman pull');
      try {
        await ctx.podman.pull({
          ref,
          registry,
          authFile,
          insecure: registrySettings(ctx.settings.registries, registry)?.insecure ?? false,
          timeoutMs: ctx.settings.worker.timeouts.pullSeconds * 1000,
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
    ctx.state.pulled = {
      builderDigest: builderDigest ?? '',
      sourceDigest: sourceDigest ?? '',
      ...(payloadDigest ? { payloadDigest } : {}),
    };
  },
};
