import { newBuildId } from '../../domain/build-id.ts';
import type { BuildRequestInput } from '../../domain/build-request.ts';
import { requiredCapabilities } from '../../domain/capabilities.ts';
import { summariseError } from '../../domain/errors.ts';
import { validateBuildRequest } from '../../domain/validate-build-request.ts';
import { enqueueBuild } from '../../queue/build-producer.ts';
import { type OpenBuildReservation, trackOpenBuild } from '../access/build-limits.ts';
import { notInChannelReply } from '../messages/command-replies.ts';
import { notQueuedMessage } from '../messages/not-queued-message.ts';
import { statusMessage } from '../messages/status-message.ts';
import { noWorkerNote } from '../messages/workers-reply.ts';
import { buildPolicy, retryPolicy } from '../slack-deps.ts';
import type { HandlerDeps } from './handler-deps.ts';

/**
 * Queues a validated request and gives it its status message. The message is posted first, so that its channel
 * and ts are stored before the first build event can arrive; if queueing then fails, the same message says so.
 */
export async function submitBuild(
  deps: HandlerDeps,
  input: BuildRequestInput,
  channelId: string,
  userId: string,
  options: {
    /** The place in the limits taken before the ack; it becomes the build's once the build is queued. */
    reservation?: OpenBuildReservation;
    /** The build this one retries, recorded in the audit entry. */
    retryOf?: string;
    /** The id it already has (a build that waited for approval). */
    buildId?: string;
  } = {},
): Promise<{ buildId: string; queued: boolean }> {
  const { reservation, retryOf } = options;
  const policy = buildPolicy(deps.config);
  const request = validateBuildRequest(input, policy);
  const buildId = options.buildId ?? newBuildId();
  const requires = requiredCapabilities(request, policy);
  const counts = await deps.queues
    .get(request.arch, requires)
    .getJobCounts('waiting', 'active', 'prioritized', 'delayed')
    .catch(() => ({}) as Record<string, number>);
  const ahead = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const queued = statusMessage({ buildId, request, state: 'queued', ahead, updatedAt: new Date() });
  const posted = await deps.poster.post(channelId, queued, userId);
  if (posted.via === 'dm') {
    await deps.poster.reply(posted.channel, posted.ts, notInChannelReply(channelId, true));
  }
  try {
    // Inside the try: a Redis restart here must not leave the message saying "queued" for a build with no job.
    await deps.records.create(buildId, { channel: posted.channel, ts: posted.ts, requester: userId });
    // On record before it can run: a build that could not be audited is not queued.
    await deps.audit({
      who: userId,
      channel: channelId,
      action: 'build',
      allowed: true,
      buildId,
      target: input.preset ?? input.source,
      ...(retryOf ? { reason: `retry of ${retryOf}` } : {}),
    });
    // The position was counted for the status message: no second count on this per-submission path.
    await enqueueBuild(deps.queues, input, policy, retryPolicy(deps.config), {
      buildId,
      ahead,
      routing: deps.config.routing,
    });
  } catch (error) {
    deps.logger.error({ buildId, error: String(error) }, 'could not queue a build');
    // Not "failed": no job exists, so a Retry button would find nothing. Left open (not marked final): should the
    // add have reached Redis after all (its answer lost to a restart), the job's first event corrects the message.
    await deps.poster.update(
      posted.channel,
      posted.ts,
      notQueuedMessage(buildId, request.source, summariseError(error)),
    );
    return { buildId, queued: false };
  }
  // Queued: nothing below may turn it into "not queued".
  try {
    // Both at once: neither depends on the other, and each is a round trip.
    const [, live] = await Promise.all([
      trackOpenBuild(deps.publisher, { userId, channelId }, request.arch, buildId, reservation),
      deps.liveArches(2000, requires),
    ]);
    deps.logger.info({ buildId, userId, channelId, source: request.source }, 'build queued from Slack');
    // Accepted either way; the requester learns at once that it waits for a host of its arch (with what it needs).
    if (live && !live.includes(request.arch))
      await deps.poster
        .reply(posted.channel, posted.ts, noWorkerNote(request.arch, requires))
        .catch(() => undefined);
  } catch (error) {
    deps.logger.warn({ buildId, error: String(error) }, 'build queued, but not counted in the build limits');
  }
  return { buildId, queued: true };
}
