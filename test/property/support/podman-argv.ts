import type { Config } from '../../../src/config/load-config.ts';
import { ARCHES, type BuildRequest, ROOTFS_TYPES } from '../../../src/domain/build-request.ts';
import { requestedTypes } from '../../../src/domain/image-runs.ts';
import { findUnsafeChar } from '../../../src/domain/text-rules.ts';
import { createLogger } from '../../../src/logger.ts';
import type { AttemptPaths } from '../../../workers/pipeline/build-context.ts';
import { builderArgs, type RunBuilderContext } from '../../../workers/pipeline/steps/run-builder.ts';
import type { Podman } from '../../../workers/podman.ts';
import { REFERENCE } from './bib-oracle.ts';

export const BUILD_ID = 'b7k2m9qxz';
export const WORKER_HOST = 'builder-1';

export const PATHS: AttemptPaths = {
  root: `/var/lib/bootc-iso/work/${BUILD_ID}-1`,
  authFile: `/var/lib/bootc-iso/work/${BUILD_ID}-1/auth.json`,
  configToml: `/var/lib/bootc-iso/work/${BUILD_ID}-1/config.toml`,
  outputDir: `/var/lib/bootc-iso/work/${BUILD_ID}-1/output`,
  buildLog: `/var/lib/bootc-iso/work/${BUILD_ID}-1/build.log`,
};

function unused(what: string): never {
  throw new Error(`${what} is not used when building the argv`);
}

const podman: Podman = {
  version: async () => unused('podman.version'),
  login: async () => unused('podman.login'),
  pull: async () => unused('podman.pull'),
  imageDigest: async () => unused('podman.imageDigest'),
  inspectImage: async () => unused('podman.inspectImage'),
  runContainer: async () => unused('podman.runContainer'),
  removeContainer: async () => unused('podman.removeContainer'),
  containersWithLabel: async () => unused('podman.containersWithLabel'),
  buildImage: async () => unused('podman.buildImage'),
  removeImage: async () => unused('podman.removeImage'),
};

/** The argv (after `podman`) the worker would run for this request: the worker's own builderArgs. */
export function workerArgv(request: BuildRequest, config: Config): string[] {
  const ctx: RunBuilderContext = {
    buildId: BUILD_ID,
    request,
    settings: { ...config, workerName: WORKER_HOST },
    podman,
    logger: createLogger({ level: 'silent', name: 'property' }),
    signal: new AbortController().signal,
    progress: () => undefined,
    state: {},
  };
  return builderArgs(ctx, PATHS);
}

const BARE_FLAGS = new Set(['--rm', '--privileged', '--pull=never']);

/**
 * Every argv element that is not one of our flags, a validated value in its place, or one of our labels; and the
 * order rules: `run` first, the builder image after podman's options, the source image last.
 */
export function unvalidatedArgs(argv: readonly string[], request: BuildRequest, config: Config): string[] {
  const storage = config.worker.containerStorage;
  const mounts = new Set([
    `${PATHS.configToml}:/config.toml:ro`,
    `${PATHS.outputDir}:/output`,
    `${storage}:/var/lib/containers/storage`,
    ...(config.worker.storeCache ? [`${config.worker.storeCache}:/store`] : []),
    ...(config.worker.rpmmdCache ? [`${config.worker.rpmmdCache}:/rpmmd`] : []),
  ]);
  const labels = new Set([
    `io.bootc-iso.managed=true`,
    `io.bootc-iso.build=${BUILD_ID}`,
    `io.bootc-iso.host=${WORKER_HOST}`,
  ]);
  const valueRules: Record<string, (v: string) => boolean> = {
    '--security-opt': (v) => v === 'label=type:unconfined_t',
    '--name': (v) => v === `bootc-iso-${BUILD_ID}`,
    '--label': (v) => labels.has(v),
    '-v': (v) => mounts.has(v),
    '--type': (v) => (requestedTypes(request) as readonly string[]).includes(v),
    '--progress': (v) => v === 'verbose',
    '--rootfs': (v) => (ROOTFS_TYPES as readonly string[]).includes(v) && v === request.rootfs,
    '--target-arch': (v) => (ARCHES as readonly string[]).includes(v),
    '--installer-payload-ref': (v) => REFERENCE.test(v) && v === request.installerPayloadRef,
  };
  const problems: string[] = [];
  argv.forEach((a, i) => {
    if (a === '') problems.push(`argument ${i} is empty`);
    const bad = findUnsafeChar(a);
    if (bad) problems.push(`argument ${i} has U+${bad.codePoint.toString(16)}`);
  });
  if (argv[0] !== 'run') problems.push(`argv starts with ${JSON.stringify(argv[0])}, not run`);
  const positionals: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const rule = valueRules[a];
    if (rule) {
      const value = argv[i + 1];
      if (value === undefined || !rule(value))
        problems.push(`${a} ${JSON.stringify(value)} is not a validated value`);
      i++;
    } else if (a.startsWith('-')) {
      if (!BARE_FLAGS.has(a)) problems.push(`${JSON.stringify(a)} is not one of our flags`);
    } else positionals.push(a);
  }
  const [builder, source, ...extra] = positionals;
  if (builder !== request.builder.image || !REFERENCE.test(builder))
    problems.push(`builder image ${JSON.stringify(builder)} is not the validated one`);
  if (source !== request.source || !REFERENCE.test(source))
    problems.push(`source ${JSON.stringify(source)} is not the validated one`);
  if (argv.at(-1) !== request.source) problems.push('the source image is not the last argument');
  if (extra.length > 0) problems.push(`stray arguments ${JSON.stringify(extra)}`);
  return problems;
}
