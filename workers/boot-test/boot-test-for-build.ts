import { join } from 'node:path';
import { type BootTestSettings, defaultBootTestSettings } from '../../src/config/boot-test-schema.ts';
import type { AppError } from '../../src/domain/errors.ts';
import type { BootTestMode } from './boot-test-mode.ts';
import { type BootTestResult, bootTestError, runBootTest } from './run-boot-test.ts';
import { runInstallTest } from './run-install-test.ts';

/** The published name of the serial console log: the ISO's, or in the install test the installed disk's. */
export const BOOT_TEST_LOG = 'boot-test.log';
/** The published name of the installer's serial console log (install test only). */
export const BOOT_TEST_INSTALL_LOG = 'boot-test-install.log';

/**
 * The build step's view of the boot test: runs the test of `mode` with this host's settings, the consoles going to
 * files named as they are published in `workDir`. A test that did not pass comes back with `failure`
 * (BOOT_TEST_FAILED with the console's last lines) rather than thrown, so the caller can publish the logs before
 * failing the build.
 */
export async function bootTestForBuild(o: {
  iso: string;
  workDir: string;
  settings: BootTestSettings | undefined;
  mode?: BootTestMode;
  signal?: AbortSignal;
}): Promise<{ result: BootTestResult; failure: AppError | undefined }> {
  const settings = o.settings ?? defaultBootTestSettings();
  const machine = {
    accel: settings.accel,
    memoryMiB: settings.memoryMiB,
    cpus: settings.cpus,
    qemu: settings.qemu,
    ...(o.signal ? { signal: o.signal } : {}),
  };
  if (o.mode === 'install') {
    const result = await runInstallTest({
      ...machine,
      iso: o.iso,
      workDir: o.workDir,
      installLogPath: join(o.workDir, BOOT_TEST_INSTALL_LOG),
      logPath: join(o.workDir, BOOT_TEST_LOG),
      loginMarker: settings.loginMarker,
      installTimeoutSeconds: settings.installTimeoutSeconds,
      loginTimeoutSeconds: settings.loginTimeoutSeconds,
      diskGiB: settings.diskGiB,
      qemuImg: settings.qemuImg,
    });
    return { result, failure: result.passed ? undefined : bootTestError(result, settings.loginMarker) };
  }
  const result = await runBootTest({
    ...machine,
    iso: o.iso,
    logPath: join(o.workDir, BOOT_TEST_LOG),
    marker: settings.marker,
    timeoutSeconds: settings.timeoutSeconds,
  });
  return { result, failure: result.passed ? undefined : bootTestError(result, settings.marker) };
}

/** One line for Slack and the CLI. */
export function describeBootTest(r: BootTestResult): string {
  const how = r.accel === 'kvm' ? 'KVM' : 'software emulation';
  const test = r.mode === 'install' ? 'install test' : 'boot test';
  if (r.passed) {
    const what = r.mode === 'install' ? ': installed, and the installed disk booted to a login prompt' : '';
    return `${test} passed in ${r.seconds} s${what} (${how})`;
  }
  switch (r.reason) {
    case 'timeout':
      return `boot test failed: timed out after ${r.seconds} s (${how})`;
    case 'install-timeout':
      return `install test failed: the installation did not finish in time (${r.seconds} s, ${how})`;
    case 'install-failed':
      return `install test failed: the install machine restarted or panicked instead of powering off (${how})`;
    case 'no-login':
    case 'login-timeout':
      return `install test failed: installed, but the installed disk did not boot to a login prompt (${how})`;
    case 'qemu-failed':
      return `${test} failed: QEMU failed (${how})`;
    default:
      return `boot test failed: the machine stopped without the expected console output (${how})`;
  }
}
