import type { Logger } from '../../src/logger.ts';
import type { CheckResult } from './checks.ts';
import { hostProbes } from './probes.ts';
import { summarise } from './report.ts';
import { type DoctorConfig, runDoctor } from './run-doctor.ts';

export type DoctorSummary = ReturnType<typeof summarise>;

/**
 * The doctor's checks, run in the background when a worker starts, one log line per check (warn and fail at their
 * own levels, with the fix), so an operator sees what the host lacks without running `bootc-iso doctor`. Never
 * throws; undefined when the worker stopped first.
 */
export async function checkHostAtStart(
  config: DoctorConfig & Parameters<typeof hostProbes>[0],
  logger: Logger,
  signal: AbortSignal,
): Promise<DoctorSummary | undefined> {
  let results: CheckResult[];
  try {
    results = await runDoctor(config, hostProbes(config, logger, signal));
  } catch (error) {
    if (!signal.aborted) logger.warn({ error: String(error) }, 'host checks did not finish');
    return undefined;
  }
  if (signal.aborted) return undefined;
  for (const r of results) {
    const fields = { check: r.name, detail: r.detail, ...(r.fix ? { fix: r.fix } : {}) };
    if (r.status === 'fail') logger.error(fields, 'host check failed');
    else if (r.status === 'warn') logger.warn(fields, 'host check warns');
    else logger.info(fields, 'host check ok');
  }
  const summary = summarise(results);
  logger.info(summary, 'host checks done (bootc-iso doctor shows them with their fixes)');
  return summary;
}
