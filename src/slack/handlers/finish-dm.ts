import { statusReply } from '../messages/command-replies.ts';
import type { BuildStatus } from '../messages/status-message.ts';
import type { SlackMessage, SlackPoster } from '../slack-poster.ts';

const ENDING: Partial<Record<BuildStatus['state'], string>> = {
  completed: 'is ready',
  failed: 'failed',
  cancelled: 'was cancelled',
};

/**
 * The DM a requester gets when their build ends: edits of the channel's status message notify nobody, so someone
 * who walked away learns the result here. It carries the status with its link buttons only.
 */
export function finishDm(status: BuildStatus): SlackMessage {
  const { blocks } = statusReply(status);
  return { text: `Your build ${status.buildId} ${ENDING[status.state] ?? 'ended'}`, blocks };
}

/** Posting to a user id lands in the person's DM with the app (chat:write; no conversations.open needed). */
export async function sendFinishDm(
  poster: SlackPoster,
  requester: string,
  status: BuildStatus,
): Promise<void> {
  await poster.post(requester, finishDm(status));
}
