import type { BuildRequest } from '../../domain/build-request.ts';
import type { BuildListItem, EphemeralReply } from '../messages/command-replies.ts';
import { context, section } from '../messages/format.ts';
import { type BuildStatus, headline, STATE_LABEL } from '../messages/status-message.ts';
import type { SlackDeps } from '../slack-deps.ts';
import { isAdmin } from './access-policy.ts';

/**
 * Download and log links carry what an ISO holds (password hashes, SSH keys, kickstarts): they are shown only to
 * the person who asked for the build, to members of the channel it was asked in, and to admins. Everyone else sees
 * the build's id and state.
 */
export type LinkViewer = (request: BuildRequest, requester?: string) => Promise<boolean>;

export async function linkViewer(deps: SlackDeps, userId: string): Promise<LinkViewer> {
  const admin = await isAdminUser(deps, userId);
  return async (request, requester) => {
    if (admin) return true;
    if (requester !== undefined && requester === userId) return true;
    if (request.requester.kind !== 'slack') return false;
    if (request.requester.userId === userId) return true;
    return deps.isChannelMember(request.requester.channelId, userId);
  };
}

/** The list line of a build whose links this person may not see: id and state only. */
export function withoutDetails<T extends BuildListItem>(item: T): BuildListItem & { hidden: true } {
  return {
    buildId: item.buildId,
    state: item.state,
    updatedAt: item.updatedAt,
    request: item.request,
    hidden: true,
  };
}

export async function isAdminUser(deps: SlackDeps, userId: string): Promise<boolean> {
  const groups = await deps.groupsOf(userId).catch(() => [] as string[]);
  return isAdmin(deps.config.access, { userId, channelId: '', groups });
}

/** `status <id>` for someone who may not see the build's details: its id and state. */
export function limitedStatusReply(s: BuildStatus): EphemeralReply {
  const note = context(
    'Its details and links are shown to its requester, members of its channel, and admins.',
  );
  return {
    response_type: 'ephemeral',
    text: `ISO build ${s.buildId} ${STATE_LABEL[s.state]}`,
    blocks: [section(headline(s)), note],
  };
}
