import type { Job } from 'bullmq';
import { ARCHES, type BuildRequest } from '../../domain/build-request.ts';
import type { BuildResult } from '../../queue/build-job.ts';
import { requestCancel } from '../../queue/cancel-requests.ts';
import { artifactKeys } from '../../storage/artifact-store.ts';
import { statusMessage, threadNote } from '../messages/status-message.ts';
import { scheduleSync } from '../notify/event-bridge.ts';
import type { SlackDeps } from '../slack-deps.ts';
import { submitBuild } from './submit-build.ts';

/** What the person who clicked or typed is told, ephemerally. */
export type ActionReply = string;

async function findBuild(deps: SlackDeps, buildId: string): Promise<Job | undefined> {
  for (const arch of ARCHES) {
    const job = await deps.queues.get(arch).getJob(buildId);
    if (job) return job;
  }
  return undefined;
}

/** Only the requester may cancel or retry a build (configured admins arrive with access control). */
async function mayChange(deps: SlackDeps, buildId: string, userId: string): Promise<string | undefined> {
  const record = await deps.records.get(buildId);
  if (!record)
    return `Build \`${buildId}\` was not requested from Slack, so it can only be changed from the CLI.`;
  if (record.requester !== userId)
    return `Only <@${record.requester}>, who requested build \`${buildId}\`, can do that.`;
  return undefined;
}

export async function cancelBuild(deps: SlackDeps, buildId: string, userId: string): Promise<ActionReply> {
  const job = await findBuild(deps, buildId);
  if (!job) return `No build \`${buildId}\`.`;
  const denied = await mayChange(deps, buildId, userId);
  if (denied) return denied;
  const request = job.data as BuildRequest;
  await deps.records.update(buildId, (r) => ({ ...r, cancelledBy: userId }));
  const outcome = await requestCancel(deps.queues, deps.publisher, buildId, `slack:${userId}`);
  if (outcome === 'removed') {
    // The job is gone, so no build event will follow: show the result here.
    const record = await deps.records.get(buildId);
    if (record) {
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
      }));
    }
    return `Build \`${buildId}\` was removed from the queue.`;
  }
  if (outcome === 'signalled') return `Cancelling build \`${buildId}\`: its build host is stopping it.`;
  return `Build \`${buildId}\` has already finished.`;
}

export async function retryBuild(deps: SlackDeps, buildId: string, userId: string): Promise<ActionReply> {
  const job = await findBuild(deps, buildId);
  if (!job) return `No build \`${buildId}\` (builds are kept for 30 days).`;
  const denied = await mayChange(deps, buildId, userId);
  if (denied) return denied;
  const state = await job.getState();
  if (state !== 'failed')
    return `Build \`${buildId}\` is ${state}; only failed or cancelled builds can be retried.`;
  const record = await deps.records.get(buildId);
  const old = job.data as BuildRequest;
  const channelId = old.requester.kind === 'slack' ? old.requester.channelId : (record?.channel ?? userId);
  const { buildId: newId } = await submitBuild(
    deps,
    { ...old, requester: { kind: 'slack', userId, channelId }, requestedAt: new Date().toISOString() },
    channelId,
    userId,
  );
  await deps.records.update(buildId, (r) => ({ ...r, retriedAs: newId }));
  if (record)
    await deps.poster.reply(record.channel, record.ts, {
      text: `Retried by <@${userId}> as build \`${newId}\`.`,
    });
  return `Retrying build \`${buildId}\` as \`${newId}\`.`;
}

/** A new presigned link for a finished build whose link expired (or is about to). */
export async function freshLink(deps: SlackDeps, buildId: string): Promise<ActionReply> {
  const job = await findBuild(deps, buildId);
  if (!job || (await job.getState()) !== 'completed') return `Build \`${buildId}\` has no ISO to link to.`;
  if (!deps.store)
    return 'This bot has no S3 settings, so it cannot sign links; ask an operator, or use the CLI.';
  const result = job.returnvalue as BuildResult;
  if (!(await deps.store.headObject(artifactKeys(buildId).iso))) {
    return `The ISO of build \`${buildId}\` is no longer in storage (it may have expired); retry the build.`;
  }
  const link = await deps.store.presignGet(result.iso.key, {
    ttlSeconds: deps.config.linkTtlSeconds,
    filename: result.iso.filename,
  });
  await deps.records.update(buildId, (r) => ({
    ...r,
    link: { url: link.url, expiresAt: link.expiresAt.toISOString() },
  }));
  await scheduleSync(deps.notify, { buildId, arch: (job.data as BuildRequest).arch }, Date.now());
  return `A fresh download link for \`${buildId}\` is in the build's message (valid until ${link.expiresAt.toISOString()}).`;
}
