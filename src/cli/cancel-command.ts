import { userInfo } from 'node:os';
import type { Redis } from 'ioredis';
import { normaliseBuildId } from '../domain/build-id.ts';
import { AppError } from '../domain/errors.ts';
import type { BuildQueues } from '../queue/build-producer.ts';
import { requestCancel } from '../queue/cancel-requests.ts';
import type { OperatorAudit } from './cli-audit.ts';
import type { Output } from './follow-build.ts';

const MESSAGES = {
  removed: 'removed from the queue before it started',
  signalled: 'cancel sent to the build host running it',
  'not-found': 'no such build',
  finished: 'already finished; nothing to cancel',
} as const;

/** `bootc-iso cancel <id>`: exit code 0 when the build was removed or signalled, 1 otherwise. */
export async function runCancelCommand(
  argv: string[],
  deps: { queues: BuildQueues; publisher: Redis; out: Output; audit?: OperatorAudit },
): Promise<number> {
  const [raw, ...extra] = argv;
  const json = extra.includes('--json');
  const buildId = raw ? normaliseBuildId(raw) : undefined;
  if (!buildId || extra.some((a) => a !== '--json')) {
    throw new AppError('INVALID_REQUEST', 'usage: bootc-iso cancel <build-id> [--json]');
  }
  await deps.audit?.({ action: 'cancel', buildId });
  const outcome = await requestCancel(deps.queues, deps.publisher, buildId, `cli:${userInfo().username}`);
  deps.out.write(
    json ? `${JSON.stringify({ buildId, outcome })}\n` : `build ${buildId}: ${MESSAGES[outcome]}\n`,
  );
  return outcome === 'removed' || outcome === 'signalled' ? 0 : 1;
}
