import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../src/domain/errors.ts';
import { type CheckSourceContext, checkSource } from '../../../../../workers/pipeline/steps/check-source.ts';
import { createPodman, type ImageFacts } from '../../../../../workers/podman.ts';
import { DIGEST_A, DIGEST_B, request, silent } from '../support.ts';

function context(facts: ImageFacts): CheckSourceContext {
  return {
    podman: { ...createPodman('/nonexistent/podman', silent), inspectImage: async () => facts },
    request: request({ arch: 'x86_64' }),
    state: { pulled: { sourceDigest: DIGEST_A, builderDigest: DIGEST_B } },
  };
}

const bootc = { 'containers.bootc': '1' };

async function failure(facts: ImageFacts): Promise<AppError> {
  const error = await checkSource.run(context(facts), { defer: () => undefined }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('check-source step', () => {
  it('passes a bootc image of the build architecture with the digest that was pulled', async () => {
    await checkSource.run(context({ digest: DIGEST_A, architecture: 'amd64', labels: bootc }), {
      defer: () => undefined,
    });
  });

  it('refuses an image without the bootc label, naming image and label, for good', async () => {
    const variants: Record<string, string>[] = [{}, { 'containers.bootc': '0' }, { 'io.bootc': '1' }];
    for (const labels of variants) {
      const error = await failure({ digest: DIGEST_A, architecture: 'amd64', labels });
      expect(error.code).toBe('NOT_BOOTC_IMAGE');
      expect(error.message).toContain('registry.example.com/org/os:1');
      expect(error.message).toContain('containers.bootc=1');
      expect(error.disposition).toBe('fail');
    }
  });

  it('refuses an image of another architecture, naming both', async () => {
    const error = await failure({ digest: DIGEST_A, architecture: 'arm64', labels: bootc });
    expect(error.code).toBe('ARCH_MISMATCH');
    expect(error.message).toMatch(/architecture arm64, but this build is for x86_64 \(amd64\)/);
    expect(error.disposition).toBe('fail');
  });

  it('refuses a source whose tag moved after the pull; a retry pulls it again', async () => {
    const error = await failure({ digest: DIGEST_B, architecture: 'amd64', labels: bootc });
    expect(error.code).toBe('SOURCE_CHANGED');
    expect(error.message).toContain(DIGEST_A);
    expect(error.message).toContain(DIGEST_B);
    expect(error.disposition).toBe('retry');
  });
});
