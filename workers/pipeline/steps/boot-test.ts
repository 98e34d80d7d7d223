import { basename } from 'node:path';
import { imageTypeSpec } from '../../../src/domain/image-types.ts';
import { buildObjectKey } from '../../../src/signing/bundle-sources.ts';
import { bootTestForBuild, describeBootTest } from '../../boot-test/boot-test-for-build.ts';
import { bootTestMode } from '../../boot-test/boot-test-mode.ts';
import { wantsBootTest } from '../../boot-test/run-boot-test.ts';
import { type BuildContext, beforePublish, required } from '../build-context.ts';
import type { Step } from '../step.ts';

export type BootTestContext = Pick<
  BuildContext,
  'buildId' | 'request' | 'store' | 'logger' | 'signal' | 'fence'
> & {
  settings: Pick<BuildContext['settings'], 'presets' | 'bootTest'>;
  state: Pick<BuildContext['state'], 'paths' | 'log' | 'outputs' | 'reused' | 'bootTest'>;
};

/**
 * Its own limit twice (a KVM that cannot run the machine is followed by a software boot), plus a margin; the install
 * test's install limit twice for the same reason, then the login limit.
 */
const limitMs = (ctx: BootTestContext) => {
  const s = ctx.settings.bootTest;
  const seconds =
    bootTestMode(ctx.request) === 'install'
      ? (s?.installTimeoutSeconds ?? 3600) * 2 + (s?.loginTimeoutSeconds ?? 600)
      : (s?.timeoutSeconds ?? 600) * 2;
  return (seconds + 60) * 1000;
};

/**
 * Boots the ISO the builder wrote in QEMU before anything is uploaded, when the request or its preset asks for it:
 * the install test when the request's kickstart powers off after installing, else the boot test. One that does not
 * pass fails the build with BOOT_TEST_FAILED and the console's last lines; its console logs are then kept (best
 * effort) next to the build log, since the work directory goes.
 */
export const bootTest: Step<BootTestContext> = {
  name: 'boot-test',
  shows: 'build',
  describe: (ctx) =>
    bootTestMode(ctx.request) === 'install'
      ? 'installing from the ISO in QEMU, then booting the installed disk'
      : 'booting the ISO in QEMU',
  planned: (ctx) => wantsBootTest(ctx.request, ctx.settings.presets ?? {}),
  skip: (ctx) => {
    if (ctx.state.reused) return 'answered by an identical build';
    // Disk images are not booted here: the test boots an installer ISO.
    if (!ctx.state.outputs?.some((o) => imageTypeSpec(o.type).family === 'iso')) return 'no ISO to boot';
    return undefined;
  },
  timeoutMs: limitMs,
  async run(ctx) {
    const paths = required(ctx.state.paths, 'paths');
    const iso = required(
      ctx.state.outputs?.find((o) => imageTypeSpec(o.type).family === 'iso'),
      'an ISO among the outputs',
    );
    const { result, failure } = await bootTestForBuild({
      iso: iso.path,
      workDir: paths.root,
      settings: ctx.settings.bootTest,
      mode: bootTestMode(ctx.request),
      signal: ctx.signal,
    });
    ctx.state.bootTest = result;
    ctx.state.log?.line(`${describeBootTest(result)}${result.note ? ` (${result.note})` : ''}`);
    if (!failure) return;
    // Only while this attempt still holds the build: a stale attempt publishes nothing.
    await beforePublish(ctx);
    for (const log of result.logs) {
      await ctx.store
        .uploadFile(buildObjectKey(ctx.buildId, basename(log)), log, {
          contentType: 'text/plain; charset=utf-8',
        })
        .catch((error: unknown) => ctx.logger.warn({ error: String(error) }, `${basename(log)} not kept`));
    }
    throw failure;
  },
};
