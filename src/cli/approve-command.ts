import { userInfo } from 'node:os';
import type { Redis } from 'ioredis';
import { PendingBuilds } from '../slack/access/approval-store.ts';
import type { OperatorAudit } from './cli-audit.ts';
import type { Output } from './follow-build.ts';
import { buildIdArg, parseOpsArgs } from './ops-args.ts';

export const APPROVE_USAGE = `usage: bootc-iso approve <build-id>

  Approves a build waiting for approval, as an operator: it is queued at once (the bot posts its status message).
  Recorded in the build's audit trail with your OS user and host.`;

export const DENY_USAGE = `usage: bootc-iso deny <build-id>

  Denies a build waiting for approval: nothing is built. Recorded in the build's audit trail.`;

/** `bootc-iso approve|deny <id>`: 0 when decided, 1 when there was no pending build by that id. */
export async function runApproveCommand(
  decision: 'approve' | 'deny',
  argv: string[],
  deps: { redis: Redis; out: Output; err: Output; audit?: OperatorAudit; user?: string },
): Promise<number> {
  const usage = decision === 'approve' ? APPROVE_USAGE : DENY_USAGE;
  const { positionals } = parseOpsArgs(argv, {}, usage);
  const buildId = buildIdArg(positionals, usage);
  const operator = `cli:${(deps.user ?? userInfo().username).slice(0, 64)}`;
  const store = new PendingBuilds(deps.redis);
  const updated = await store.update(buildId, (p) => {
    if (p.state !== 'pending') return undefined;
    // Operators hold the queue's credentials and could queue it themselves: their word is enough.
    return decision === 'approve'
      ? { ...p, approvedBy: [...p.approvedBy, operator], state: 'approved' }
      : { ...p, state: 'denied', deniedBy: operator };
  });
  await deps.audit?.({
    action: decision,
    buildId,
    allowed: updated !== undefined,
    ...(updated ? {} : { reason: 'not waiting for approval' }),
  });
  if (!updated) {
    const current = await store.get(buildId);
    deps.err.write(
      `bootc-iso: build ${buildId} is ${current ? `${current.state}, not waiting for approval` : 'not waiting for approval'}\n`,
    );
    return 1;
  }
  // The bot queues an approved build and updates the Slack message on its next sweep.
  await store.markDecided(buildId);
  deps.out.write(`build ${buildId}: ${decision === 'approve' ? 'approved; the bot queues it' : 'denied'}\n`);
  return 0;
}
