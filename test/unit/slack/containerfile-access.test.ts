import { describe, expect, it } from 'vitest';
import { Access } from '../../../src/config/access-schema.ts';
import { maySupplyContainerfile } from '../../../src/slack/access/access-policy.ts';

const who = { userId: 'U01', channelId: 'C01', groups: ['S01'] };

describe('who may supply a Containerfile', () => {
  it('is nobody until the rule names someone', () => {
    const decision = maySupplyContainerfile(Access.parse({}), who);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed ? '' : decision.reason).toContain('access.containerfiles');
  });

  it('is whoever the rule names, by user, group or channel', () => {
    expect(maySupplyContainerfile(Access.parse({ containerfiles: { userGroups: ['S01'] } }), who)).toEqual({
      allowed: true,
    });
    expect(maySupplyContainerfile(Access.parse({ containerfiles: { users: ['U02'] } }), who).allowed).toBe(
      false,
    );
  });
});
