import type { Access, Approval } from '../../config/access-schema.ts';
import type { BuildRequestInput } from '../../domain/build-request.ts';
import { registryRuleFor, repositoryOf } from './access-policy.ts';

/** The approval a request needs: its preset's, or for a typed image its most specific registry rule's. */
export function approvalFor(access: Access, input: BuildRequestInput): Approval | undefined {
  if (input.preset !== undefined) return access.presets[input.preset]?.approval;
  const repository = repositoryOf(input.source);
  return repository ? registryRuleFor(access, repository)?.[1].approval : undefined;
}

/** Approvers named in the rule, never the person who asked (four eyes), and not twice. */
export function mayApprove(
  approval: Approval,
  who: { userId: string; groups: readonly string[] },
  pending: { requester: string; approvedBy: readonly string[] },
): { allowed: true } | { allowed: false; reason: string } {
  if (who.userId === pending.requester)
    return { allowed: false, reason: 'You asked for this build, so someone else has to approve it.' };
  const listed =
    approval.approvers.users.includes(who.userId) ||
    approval.approvers.userGroups.some((group) => who.groups.includes(group));
  if (!listed) return { allowed: false, reason: 'Only the approvers named for this build can decide on it.' };
  if (pending.approvedBy.includes(who.userId))
    return { allowed: false, reason: 'You already approved this build.' };
  return { allowed: true };
}
