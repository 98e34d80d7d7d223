import type { Approval } from '../../config/access-schema.ts';
import { newBuildId } from '../../domain/build-id.ts';
import type { BuildRequestInput } from '../../domain/build-request.ts';
import { mayApprove } from '../access/approval-rules.ts';
import { type PendingBuild, PendingBuilds } from '../access/approval-store.ts';
import { approvalMessage } from '../messages/approval-message.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { submitBuild } from './submit-build.ts';

const HOUR_MS = 3_600_000;

/**
 * Posts a build that needs approval as awaiting it, with Approve and Deny buttons. It is kept apart from the build
 * queue, so it holds no worker slot, until enough approvers approve.
 */
export async function requestApproval(
  deps: HandlerDeps,
  input: BuildRequestInput,
  channelId: string,
  userId: string,
  approval: Approval,
): Promise<string> {
  const pending: PendingBuild = {
    buildId: newBuildId(),
    input,
    requester: userId,
    channelId,
    approval,
    approvedBy: [],
    state: 'pending',
    expiresAt: Date.now() + approval.expiresHours * HOUR_MS,
  };
  await deps.audit({
    who: userId,
    channel: channelId,
    action: 'await-approval',
    allowed: true,
    buildId: pending.buildId,
    target: input.preset ?? input.source,
  });
  const posted = await deps.poster.post(channelId, approvalMessage(pending), userId);
  pending.message = { channel: posted.channel, ts: posted.ts };
  await new PendingBuilds(deps.publisher).create(pending);
  return pending.buildId;
}

/** Approve or Deny, clicked in Slack: approvers only, never the requester; every click is audited. */
export async function decideApproval(
  deps: HandlerDeps,
  buildId: string,
  userId: string,
  decision: 'approve' | 'deny',
): Promise<string> {
  const store = new PendingBuilds(deps.publisher);
  const current = await store.get(buildId);
  if (!current) return `No build \`${buildId}\` is waiting for approval.`;
  if (current.state !== 'pending')
    return `Build \`${buildId}\` is no longer waiting for approval (${current.state}).`;
  const groups = await deps.groupsOf(userId).catch(() => [] as string[]);
  let refusal: string | undefined;
  const updated = await store.update(buildId, (p) => {
    refusal = undefined;
    if (p.state !== 'pending') {
      refusal = `Build \`${buildId}\` is no longer waiting for approval (${p.state}).`;
      return undefined;
    }
    const may = mayApprove(p.approval, { userId, groups }, p);
    if (!may.allowed) {
      refusal = may.reason;
      return undefined;
    }
    if (decision === 'deny') return { ...p, state: 'denied', deniedBy: userId };
    const approvedBy = [...p.approvedBy, userId];
    return { ...p, approvedBy, state: approvedBy.length >= p.approval.count ? 'approved' : 'pending' };
  });
  await deps
    .audit({
      who: userId,
      channel: current.channelId,
      action: decision,
      allowed: updated !== undefined,
      ...(refusal ? { reason: refusal } : {}),
      buildId,
    })
    .catch(() => undefined);
  if (!updated) return refusal ?? 'Nothing changed.';
  await finishApproval(deps, buildId);
  if (updated.state === 'denied') return `Denied build \`${buildId}\`.`;
  if (updated.state === 'approved') return `Approved build \`${buildId}\`: it is queued.`;
  return `Approved build \`${buildId}\` (${updated.approvedBy.length} of ${updated.approval.count}).`;
}

/**
 * Shows a decision and, once approved, queues the build under the id it was shown with. Whoever moves it from
 * approved to queued (compare-and-set) queues it, so a Slack click and the sweep never queue it twice.
 */
export async function finishApproval(deps: HandlerDeps, buildId: string): Promise<void> {
  const store = new PendingBuilds(deps.publisher);
  const current = await store.get(buildId);
  if (!current) return;
  let shown = current;
  if (current.state === 'approved') {
    const claimed = await store.update(buildId, (p) =>
      p.state === 'approved' ? { ...p, state: 'queued' } : undefined,
    );
    if (!claimed) return;
    shown = claimed;
    await submitBuild(deps, claimed.input, claimed.channelId, claimed.requester, { buildId });
  }
  if (shown.message)
    await deps.poster.update(shown.message.channel, shown.message.ts, approvalMessage(shown));
}

/** Expires builds whose approval ran out, and finishes those decided from the command line. */
export async function sweepApprovals(deps: HandlerDeps, now = Date.now()): Promise<void> {
  const store = new PendingBuilds(deps.publisher);
  for (const buildId of await store.due(now)) {
    const expired = await store.update(buildId, (p) =>
      p.state === 'pending' && p.expiresAt <= now ? { ...p, state: 'expired' } : undefined,
    );
    if (!expired) continue;
    await deps
      .audit({ who: 'system', channel: expired.channelId, action: 'expire', allowed: false, buildId })
      .catch(() => undefined);
    if (expired.message) {
      await deps.poster.update(expired.message.channel, expired.message.ts, approvalMessage(expired));
      await deps.poster.reply(expired.message.channel, expired.message.ts, {
        text: `<@${expired.requester}> your build \`${buildId}\` was not approved in time, so it was not built.`,
      });
    }
  }
  for (const buildId of await store.takeDecided()) await finishApproval(deps, buildId);
}

/** Runs the sweep every `intervalMs` in this bot process; returns the stop function. */
export function startApprovalSweep(deps: HandlerDeps, intervalMs = 5000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepApprovals(deps)
      .catch((error: unknown) => deps.logger.warn({ error: String(error) }, 'approval sweep failed'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
