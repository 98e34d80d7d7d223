import type { BuildRequest } from '../../domain/build-request.ts';
import { requestCancel } from '../../queue/cancel-requests.ts';
import { findBuild } from '../../queue/find-build.ts';
import { mayChangeBuild } from '../access/access-policy.ts';
import { approvalFor } from '../access/approval-rules.ts';
import { authorizeBuild } from '../access/authorize-build.ts';
import { releaseOpenBuild } from '../access/build-limits.ts';
import { statusMessage, threadNote } from '../messages/status-message.ts';
import type { SlackDeps } from '../slack-deps.ts';
import { requestApproval } from './approval-actions.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { submitBuild } from './submit-build.ts';

/** What the person who clicked or typed is told, ephemerally. */
export type ActionReply = string;

/** The requester or a configured admin may cancel or retry; every decision is audited. */
async function mayChange(
  deps: SlackDeps,
  buildId: string,
  userId: string,
  action: 'cancel' | 'retry',
): Promise<string | undefined> {
  const record = await deps.records.get(buildId);
  const groups = await deps.groupsOf(userId).catch(() => []);
  const who = { userId, channelId: record?.channel ?? '', groups };
  const decision = mayChangeBuild(deps.config.access, who, record?.requester);
  // The decision stands even when its record could not be written (the audit log reports that itself).
  await deps
    .audit({
      who: userId,
      ...(record ? { channel: record.channel } : {}),
      action,
      allowed: decision.allowed,
      ...(decision.allowed ? {} : { reason: decision.reason }),
      buildId,
    })
    .catch(() => undefined);
  return decision.allowed ? undefined : decision.reason;
}

/** How long a cancel waits for a status sync in progress to end before it shows the build as cancelled. */
const CANCEL_LOCK_WAIT_MS = 15_000;

export async function cancelBuild(deps: SlackDeps, buildId: string, userId: string): Promise<ActionReply> {
  const job = (await findBuild(deps.queues, buildId))?.job;
  if (!job) return `No build \`${buildId}\`.`;
  const denied = await mayChange(deps, buildId, userId, 'cancel');
  if (denied) return denied;
  const request = job.data as BuildRequest;
  // Recorded first: the build's own events may be rendered before this handler returns, and should say who.
  await deps.records.update(buildId, (r) => ({ ...r, cancelledBy: userId }));
  const outcome = await requestCancel(deps.queues, deps.publisher, buildId, `slack:${userId}`);
  if (outcome === 'removed') {
    // The job is gone, so no build event will follow: show the result here, under the build's lock, so that a
    // sync that read the build as queued just before cannot write "queued" over it afterwards.
    const shown = await deps.records.withLock(buildId, () => showRemoved(deps, buildId, request, userId), {
      waitMs: CANCEL_LOCK_WAIT_MS,
    });
    // A lock held that long belongs to a stuck process: the cancel is still shown rather than never.
    if (!shown) await showRemoved(deps, buildId, request, userId);
    return `Build \`${buildId}\` was removed from the queue.`;
  }
  if (outcome === 'signalled') return `Cancelling build \`${buildId}\`: its build host is stopping it.`;
  // Nothing was cancelled: whatever the build's message shows next is not a cancel by this person.
  await deps.records.update(buildId, ({ cancelledBy: _, ...r }) => r);
  return `Build \`${buildId}\` has already finished.`;
}

async function showRemoved(
  deps: SlackDeps,
  buildId: string,
  request: BuildRequest,
  userId: string,
): Promise<true> {
  const record = await deps.records.get(buildId);
  if (!record) return true;
  const status = {
    buildId,
    request,
    state: 'cancelled' as const,
    cancelledBy: userId,
    updatedAt: new Date(),
  };
  await deps.poster.update(record.channel, record.ts, statusMessage(status));
  await deps.poster.reply(record.channel, record.ts, threadNote('cancelled', status));
  await deps.records.update(buildId, (r) => ({
    ...r,
    notes: [...r.notes, 'cancelled'],
    lastUpdateAt: Date.now(),
    final: true,
  }));
  return true;
}

export async function retryBuild(deps: HandlerDeps, buildId: string, userId: string): Promise<ActionReply> {
  const found = await findBuild(deps.queues, buildId);
  if (!found) return `No build \`${buildId}\` (builds are kept for 30 days).`;
  const denied = await mayChange(deps, buildId, userId, 'retry');
  if (denied) return denied;
  const { job, state } = found;
  if (state !== 'failed')
    return `Build \`${buildId}\` is ${state}; only failed or cancelled builds can be retried.`;
  const record = await deps.records.get(buildId);
  const old = job.data as BuildRequest;
  const channelId = old.requester.kind === 'slack' ? old.requester.channelId : (record?.channel ?? userId);
  const input = {
    ...old,
    requester: { kind: 'slack' as const, userId, channelId },
    requestedAt: new Date().toISOString(),
  };
  // A retry is a new build: the build rules and limits apply to it as to any other.
  const decision = await authorizeBuild(deps, input, { userId, channelId });
  if (!decision.allowed) return decision.reason;
  const approval = approvalFor(deps.config.access, input);
  if (approval) {
    // A retry needs the same approval as the first build.
    await releaseOpenBuild(deps.publisher, decision.reservation).catch(() => undefined);
    const pendingId = await requestApproval(deps, input, channelId, userId, approval);
    return `Build \`${buildId}\` needs approval again: it waits as \`${pendingId}\`.`;
  }
  let newId: string;
  try {
    ({ buildId: newId } = await submitBuild(deps, input, channelId, userId, {
      reservation: decision.reservation,
      retryOf: buildId,
    }));
  } finally {
    // A no-op once the reservation became the new build.
    await releaseOpenBuild(deps.publisher, decision.reservation).catch(() => undefined);
  }
  await deps.records.update(buildId, (r) => ({ ...r, retriedAs: newId }));
  if (record)
    await deps.poster.reply(record.channel, record.ts, {
      text: `Retried by <@${userId}> as build \`${newId}\`.`,
    });
  return `Retrying build \`${buildId}\` as \`${newId}\`.`;
}
