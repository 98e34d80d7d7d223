import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostArch } from '../../src/domain/host-arch.ts';
import { OCI_ARCH } from '../../workers/pipeline/steps/check-source.ts';
import type { Podman } from '../../workers/podman.ts';

/**
 * A podman double for tests of the queue and worker wiring (the code under test is ours, not podman): it records
 * calls, and its "builder" writes a small ISO into the /output mount it was given and says "Build complete!".
 */
export function stubPodman(overrides: Partial<Podman> = {}, isoBytes = 'ISO'): Podman & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    version: async () => '4.3.1',
    login: async (o) => void calls.push(`login ${o.registry}`),
    pull: async (o) => void calls.push(`pull ${o.ref}`),
    imageDigest: async () => `sha256:${'a'.repeat(64)}`,
    inspectImage: async () => ({
      digest: `sha256:${'a'.repeat(64)}`,
      architecture: OCI_ARCH[hostArch()],
      labels: { 'containers.bootc': '1' },
    }),
    runContainer: async (args, o) => {
      calls.push('run');
      const output = args.find((a) => a.endsWith(':/output'))?.replace(/:\/output$/, '');
      if (!output) throw new Error('no /output mount');
      await mkdir(join(output, 'bootiso'), { recursive: true });
      await writeFile(join(output, 'bootiso', 'install.iso'), isoBytes);
      o.onLine('Build complete!');
      return { exitCode: 0, timedOut: false };
    },
    removeContainer: async () => undefined,
    buildImage: async () => ({ exitCode: 0 }),
    removeImage: async () => true,
    containersWithLabel: async () => [],
    ...overrides,
  };
}
