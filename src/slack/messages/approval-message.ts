import type { PendingBuild } from '../access/approval-store.ts';
import { ACTIONS } from '../action-ids.ts';
import { inlineCode, mrkdwn } from '../escape.ts';
import { actions, type Blocks, button, context, fields, section, slackDate } from './format.ts';

const mention = (id: string) => `<@${mrkdwn(id, 40)}>`;
const group = (id: string) => `<!subteam^${mrkdwn(id, 40)}>`;

const LEAD: Record<PendingBuild['state'], string> = {
  pending: ':raised_hand: *awaiting approval*',
  approved: ':white_check_mark: *approved*',
  queued: ':white_check_mark: *approved, queued*',
  denied: ':no_entry: *denied*',
  expired: ':hourglass: *approval expired*',
};

const TEXT: Record<PendingBuild['state'], string> = {
  pending: 'awaiting approval',
  approved: 'approved',
  queued: 'approved, queued',
  denied: 'denied',
  expired: 'approval expired',
};

/**
 * The message of a build that waits for approval: what it would build, who may approve, until when, and the
 * Approve and Deny buttons while it waits. The build's own status message follows once it is queued.
 */
export function approvalMessage(p: PendingBuild): { text: string; blocks: Blocks } {
  const input = p.input;
  const what = input.preset !== undefined ? `preset ${input.preset}` : input.source;
  const approvers = [
    ...p.approval.approvers.users.map(mention),
    ...p.approval.approvers.userGroups.map(group),
  ];
  const blocks: Blocks = [
    section(`ISO build ${inlineCode(p.buildId, 40)} — ${LEAD[p.state]}`),
    fields([
      `*Asked for*\n${inlineCode(what, 1100)}`,
      `*Requested by*\n${mention(p.requester)}`,
      `*Approvals*\n${p.approvedBy.length} of ${p.approval.count}${p.approvedBy.length ? `: ${p.approvedBy.map(mentionOrOperator).join(', ')}` : ''}`,
      `*Approvers*\n${approvers.join(', ')}`,
    ]),
  ];
  if (p.state === 'pending') {
    blocks.push(
      context(
        `Not queued until approved (never by the requester). Expires ${slackDate(new Date(p.expiresAt))}.`,
      ),
      ...actions([
        button(ACTIONS.approve, 'Approve', { value: p.buildId, style: 'primary' }),
        button(ACTIONS.deny, 'Deny', { value: p.buildId, style: 'danger' }),
      ]),
    );
  } else if (p.state === 'denied') {
    blocks.push(
      context(`Denied by ${p.deniedBy ? mentionOrOperator(p.deniedBy) : 'an approver'}; nothing was built.`),
    );
  } else if (p.state === 'expired') {
    blocks.push(context('Not enough approvals in time; nothing was built. Ask again if it is still needed.'));
  } else {
    blocks.push(context('The build has its own status message in this channel.'));
  }
  return {
    text: `ISO build ${p.buildId.slice(0, 40)} ${TEXT[p.state]}`,
    blocks,
  };
}

function mentionOrOperator(who: string): string {
  return who.startsWith('cli:') ? `operator ${mrkdwn(who.slice(4), 64)}` : mention(who);
}
