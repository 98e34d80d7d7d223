import { describe, expect, it } from 'vitest';
import { Access } from '../../../../src/config/access-schema.ts';
import { approvalFor, mayApprove } from '../../../../src/slack/access/approval-rules.ts';

const access = Access.parse({
  presets: { rhel10: { approval: { approvers: { users: ['U0LEAD'], userGroups: ['S0LEADS'] }, count: 2 } } },
  registries: { 'quay.io/myorg/': { approval: { approvers: { users: ['U0LEAD'] } } } },
  typedImages: 'any',
});

describe('approval rules', () => {
  it('come from the preset, or for a typed image from its most specific registry rule', () => {
    expect(approvalFor(access, { preset: 'rhel10' } as never)?.count).toBe(2);
    expect(approvalFor(access, { preset: 'rhel9' } as never)).toBeUndefined();
    expect(approvalFor(access, { source: 'quay.io/myorg/os:1' } as never)?.expiresHours).toBe(24);
    expect(approvalFor(access, { source: 'quay.io/other/os:1' } as never)).toBeUndefined();
  });

  it('let listed approvers approve once, never the requester', () => {
    const approval = approvalFor(access, { preset: 'rhel10' } as never);
    if (!approval) throw new Error('no approval');
    const pending = { requester: 'U0ASKER', approvedBy: ['U0LEAD'] };
    expect(mayApprove(approval, { userId: 'U0ASKER', groups: ['S0LEADS'] }, pending).allowed).toBe(false);
    expect(mayApprove(approval, { userId: 'U0OTHER', groups: [] }, pending).allowed).toBe(false);
    expect(mayApprove(approval, { userId: 'U0LEAD', groups: [] }, pending)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('already'),
    });
    expect(mayApprove(approval, { userId: 'U0OTHER', groups: ['S0LEADS'] }, pending).allowed).toBe(true);
  });

  it('need at least one approver', () => {
    expect(Access.safeParse({ presets: { p: { approval: { approvers: {} } } } }).success).toBe(false);
  });
});
