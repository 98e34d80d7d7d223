import type { CheckResult, CheckStatus } from './checks.ts';

/** Exit code of `bootc-iso doctor`: 1 when any check failed. */
export function doctorExitCode(results: CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

/** One line per check: `ok   podman: podman 4.9.4`, with `→ fix` after a warn or fail. */
export function formatResults(results: CheckResult[]): string {
  return results
    .map((r) => `${r.status.padEnd(4)} ${r.name}: ${r.detail}${r.fix ? ` → ${r.fix}` : ''}`)
    .join('\n');
}

/** The counts /readyz shows, and the names of what failed. */
export function summarise(results: CheckResult[]): {
  ok: number;
  warn: number;
  fail: number;
  failing: string[];
} {
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  return {
    ok: count('ok'),
    warn: count('warn'),
    fail: count('fail'),
    failing: results.filter((r) => r.status === 'fail').map((r) => r.name),
  };
}
