import { arch } from 'node:os';
import { buildSourceImage, buildStandInBuilder, pushImage, STANDIN_FEATURES } from './images.ts';
import { createPodmanEnv, type PodmanEnv, podman } from './podman.ts';
import { type RedisHandle, startRedis } from './redis.ts';
import { type RegistryHandle, startRegistry } from './registry.ts';
import { type S3Handle, startS3 } from './s3.ts';
import { requireTools } from './tools.ts';

export { freePort } from './free-port.ts';
export {
  buildSourceImage,
  buildStandInBuilder,
  loginRegistry,
  pushImage,
  SOURCE_OS_NAME,
  STANDIN_FEATURES,
  STANDIN_SCRIPT,
  type StandInFeature,
} from './images.ts';
export { createPodmanEnv, type EngineSettings, mountsUnder, type PodmanEnv, podman } from './podman.ts';
export { pingRedis, type RedisHandle, startRedis } from './redis.ts';
export { type RegistryHandle, startRegistry } from './registry.ts';
export { type S3Handle, startS3 } from './s3.ts';
export { findTool, missingTools, requireTools } from './tools.ts';

/** Binaries the whole test bed needs (requireTools(TESTBED_TOOLS) in beforeAll; it throws, never skips). */
export const TESTBED_TOOLS = [
  'podman',
  'runc',
  'docker-registry',
  'xorriso',
  'busybox',
  'htpasswd',
  'redis-server',
];

/** Source-image tags whose names trigger the stand-in's fault modes (see standin/bootc-image-builder.sh). */
export type FaultMode = 'fail' | 'failLate' | 'hang' | 'slow' | 'big';

export interface Testbed {
  redis: RedisHandle;
  s3: S3Handle;
  registry: RegistryHandle;
  podman: PodmanEnv;
  /** `${registry.host}/bootc/bib-standin:1`: a newer builder, declaring every STANDIN_FEATURES entry. */
  builderRef: string;
  /** `${registry.host}/bootc/bib-standin:old`: the shipped baseline (no [customizations.iso], no bootc-installer). */
  oldBuilderRef: string;
  /** `${registry.host}/bootc/demo-os:1` */
  sourceRef: string;
  /** `${registry.host}/bootc/demo-os:unlabelled`: the source image without containers.bootc=1. */
  unlabelledRef: string;
  /** `${registry.host}/bootc/demo-os:foreign-arch`: the source image recorded as another architecture. */
  foreignArchRef: string;
  /** That other architecture, as podman names it (arm64 on an x86_64 host, amd64 elsewhere). */
  foreignArch: string;
  /**
   * The same source image under tags carrying fault markers: fail → `demo-os:fail-build` (exit 1 after some
   * progress), failLate → `demo-os:fail-build-8` (the same, 8 s later), hang → `demo-os:hang-build` (sleeps until
   * stopped), slow → `demo-os:slow-build-3` (3 s between pipelines, about 18 s in all), big → `demo-os:big-build`
   * (64 MiB of random padding in the ISO).
   */
  faultRefs: Record<FaultMode, string>;
  stop(): Promise<void>;
}

const FAULT_TAGS: Record<FaultMode, string> = {
  fail: 'fail-build',
  failLate: 'fail-build-8',
  hang: 'hang-build',
  slow: 'slow-build-3',
  big: 'big-build',
};

/** Stops what was started, in reverse order, collecting every error. */
async function stopAll(stoppers: (() => Promise<void>)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const stop of [...stoppers].reverse()) {
    try {
      await stop();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'testbed: several parts failed to stop');
}

/**
 * Starts Redis, s3rver, the registry and an isolated podman; builds the stand-in builder and the source image,
 * pushes them to the registry and removes the local copies, so a worker must really log in and pull.
 */
export async function startTestbed(
  opts: { registryUser?: string; registryPassword?: string } = {},
): Promise<Testbed> {
  requireTools(TESTBED_TOOLS);
  const auth = {
    username: opts.registryUser ?? 'bootc-bot',
    password: opts.registryPassword ?? 'testbed-S3cret!',
  };
  const stoppers: (() => Promise<void>)[] = [];
  const track = <T extends { stop(): Promise<void> } | { cleanup(): Promise<void> }>(part: T): T => {
    stoppers.push('stop' in part ? () => part.stop() : () => part.cleanup());
    return part;
  };
  try {
    const started = await Promise.allSettled([
      startRedis().then(track),
      startS3().then(track),
      startRegistry(auth).then(track),
      createPodmanEnv().then(track),
    ]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [redis, s3, registry, penv] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      RedisHandle,
      S3Handle,
      RegistryHandle,
      PodmanEnv,
    ];

    const local = (name: string) => `localhost/bootc-iso-testbed/${name}`;
    const [localBuilder, localOld, localSource, localUnlabelled, localForeign] = [
      local('bib-standin:build'),
      local('bib-standin:old'),
      local('demo-os:build'),
      local('demo-os:unlabelled'),
      local('demo-os:foreign-arch'),
    ];
    const builderRef = `${registry.host}/bootc/bib-standin:1`;
    const oldBuilderRef = `${registry.host}/bootc/bib-standin:old`;
    const sourceRef = `${registry.host}/bootc/demo-os:1`;
    const unlabelledRef = `${registry.host}/bootc/demo-os:unlabelled`;
    const foreignArchRef = `${registry.host}/bootc/demo-os:foreign-arch`;
    // podman's names: node's x64 is amd64.
    const foreignArch = arch() === 'x64' ? 'arm64' : 'amd64';
    const faultRefs = Object.fromEntries(
      Object.entries(FAULT_TAGS).map(([mode, tag]) => [mode, `${registry.host}/bootc/demo-os:${tag}`]),
    ) as Record<FaultMode, string>;

    await Promise.all([
      buildStandInBuilder(penv, localBuilder, { features: [...STANDIN_FEATURES] }),
      buildStandInBuilder(penv, localOld),
      buildSourceImage(penv, localSource),
      buildSourceImage(penv, localUnlabelled, { bootcLabel: false }),
      buildSourceImage(penv, localForeign, { arch: foreignArch }),
    ]);
    await pushImage(penv, localBuilder, builderRef, auth);
    await pushImage(penv, localOld, oldBuilderRef, auth);
    await pushImage(penv, localSource, sourceRef, auth);
    await pushImage(penv, localUnlabelled, unlabelledRef, auth);
    await pushImage(penv, localForeign, foreignArchRef, auth);
    for (const ref of Object.values(faultRefs)) await pushImage(penv, localSource, ref, auth);
    await podman(penv, [
      'rmi',
      '--force',
      localBuilder,
      localOld,
      localSource,
      localUnlabelled,
      localForeign,
    ]);
    const { stdout } = await podman(penv, ['images', '--all', '--quiet']);
    if (stdout.trim() !== '') throw new Error(`testbed: images left in the podman storage: ${stdout.trim()}`);

    let stopping: Promise<void> | undefined;
    return {
      redis,
      s3,
      registry,
      podman: penv,
      builderRef,
      oldBuilderRef,
      sourceRef,
      unlabelledRef,
      foreignArchRef,
      foreignArch,
      faultRefs,
      stop: () => {
        stopping ??= stopAll(stoppers);
        return stopping;
      },
    };
  } catch (err) {
    await stopAll(stoppers).catch(() => {});
    throw err;
  }
}
