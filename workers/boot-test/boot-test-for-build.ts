import { join } from 'node:path';
import { type BootTestSettings, defaultBootTestSettings } from '../../src/config/file-schema.ts';
import type { AppError } from '../../src/domain/errors.ts';
import { type BootTestResult, bootTestError, runBootTest } from './run-boot-test.ts';

/** The published name of the serial console log. */
export const BOOT_TEST_LOG = 'boot-test.log';

/**
 * The build step's view of the boot test: boots `iso` with this host's settings, the console going to
 * `<workDir>/boot-test.log`. A boot that did not pass comes back with `failure` (BOOT_TEST_FAILED with the console's
 * last lines) rather than thrown, so the caller can publish the log before failing the build.
 */
export async function bootTestForBuild(o: {
  iso: string;
  workDir: string;
  settings: BootTestSettings | undefined;
  signal?: AbortSignal;
}): Promise<{ result: BootTestResult; failure: AppError | undefined }> {
  const settings = o.settings ?? defaultBootTestSettings();
  const result = await runBootTest({
    iso: o.iso,
    logPath: join(o.workDir, BOOT_TEST_LOG),
    marker: settings.marker,
    timeoutSeconds: settings.timeoutSeconds,
    accel: settings.accel,
    memoryMiB: settings.memoryMiB,
    cpus: settings.cpus,
    qemu: settings.qemu,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return { result, failure: result.passed ? undefined : bootTestError(result, settings.marker) };
}

/** One line for Slack and the CLI. */
export function describeBootTest(r: BootTestResult): string {
  const how = r.accel === 'kvm' ? 'KVM' : 'software emulation';
  if (r.passed) return `boot test passed in ${r.seconds} s (${how})`;
  return r.reason === 'timeout'
    ? `boot test failed: timed out after ${r.seconds} s (${how})`
    : `boot test failed: the machine stopped without the expected console output (${how})`;
}
