import type { Config } from '../config/load-config.ts';
import type { Logger } from '../logger.ts';
import type { Output } from './follow-build.ts';
import { parseOpsArgs, usageError } from './ops-args.ts';

export const DOCTOR_USAGE = `usage: bootc-iso doctor [--json]

  Checks that this host can run builds, as the worker would run them: root, podman and a container started with
  its runtime, SELinux (osbuild-selinux when enforcing), the RHEL entitlement, free disk in worker.workDir and
  worker.containerStorage, memory and /tmp, a free loop device, a login to each configured registry (into a
  throw-away auth file) and a pull of each builder image. One line per check: ok, warn or fail, and the fix.
  Exit code 1 when any check fails.
  --json   a JSON array of {name, status, detail, fix}`;

export function parseDoctorArgs(argv: string[]): { json: boolean } {
  const { values, positionals } = parseOpsArgs(argv, { json: { type: 'boolean' } }, DOCTOR_USAGE);
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, DOCTOR_USAGE);
  return { json: values.json ?? false };
}

/** `bootc-iso doctor`: 0 when nothing failed, 1 otherwise. Needs no Redis and no S3: it is about this host. */
export async function runDoctorCommand(
  argv: string[],
  deps: { config: Config; logger: Logger; out: Output },
): Promise<number> {
  const opts = parseDoctorArgs(argv);
  // The checks run podman: loaded only when asked, like the local worker.
  const { runDoctor } = await import('../../workers/doctor/run-doctor.ts');
  const { hostProbes } = await import('../../workers/doctor/probes.ts');
  const { doctorExitCode, formatResults } = await import('../../workers/doctor/report.ts');
  const results = await runDoctor(deps.config, hostProbes(deps.config, deps.logger));
  deps.out.write(opts.json ? `${JSON.stringify(results)}\n` : `${formatResults(results)}\n`);
  return doctorExitCode(results);
}
