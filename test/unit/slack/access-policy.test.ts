import { describe, expect, it } from 'vitest';
import { Access } from '../../../src/config/access-schema.ts';
import {
  configuredGroups,
  isAdmin,
  mayBuild,
  mayChangeBuild,
  type Who,
} from '../../../src/slack/access/access-policy.ts';

const who = (overrides: Partial<Who> = {}): Who => ({
  userId: 'U01',
  channelId: 'C01',
  groups: [],
  ...overrides,
});

describe('access rules', () => {
  it('let everyone build when nothing is configured, and make nobody an admin', () => {
    const open = Access.parse({});
    expect(mayBuild(open, who(), { preset: 'rhel9' })).toEqual({ allowed: true });
    expect(isAdmin(open, who())).toBe(false);
    expect(open.limits).toEqual({ perUser: 3, perChannel: 0 });
  });

  it('allow a build to listed users, members of listed user groups, or from listed channels only', () => {
    const access = Access.parse({ build: { users: ['U01'], userGroups: ['S01'], channels: ['C09'] } });
    expect(mayBuild(access, who(), {}).allowed).toBe(true);
    expect(mayBuild(access, who({ userId: 'U02', groups: ['S01'] }), {}).allowed).toBe(true);
    expect(mayBuild(access, who({ userId: 'U02', channelId: 'C09' }), {}).allowed).toBe(true);
    const denied = mayBuild(access, who({ userId: 'U02' }), {});
    expect(denied).toEqual({ allowed: false, reason: expect.stringContaining('not allowed to build') });
  });

  it('restrict particular presets, and typed images by registry', () => {
    const access = Access.parse({
      presets: { rhel10: { users: ['U07'] } },
      registries: { 'quay.io': { userGroups: ['S05'] } },
    });
    expect(mayBuild(access, who(), { preset: 'rhel9' }).allowed).toBe(true);
    expect(mayBuild(access, who(), { preset: 'rhel10' })).toMatchObject({
      reason: expect.stringContaining('rhel10'),
    });
    expect(mayBuild(access, who({ userId: 'U07' }), { preset: 'rhel10' }).allowed).toBe(true);
    expect(mayBuild(access, who(), { registry: 'quay.io' })).toMatchObject({ allowed: false });
    expect(mayBuild(access, who({ groups: ['S05'] }), { registry: 'quay.io' }).allowed).toBe(true);
    expect(mayBuild(access, who(), { registry: 'registry.redhat.io' }).allowed).toBe(true);
  });

  it('let the requester or an admin cancel and retry, and nobody else', () => {
    const access = Access.parse({ admins: { users: ['UADMIN'], userGroups: ['SOPS'] } });
    expect(mayChangeBuild(access, who(), 'U01').allowed).toBe(true);
    expect(mayChangeBuild(access, who({ userId: 'UADMIN' }), 'U01').allowed).toBe(true);
    expect(mayChangeBuild(access, who({ userId: 'U03', groups: ['SOPS'] }), 'U01').allowed).toBe(true);
    expect(mayChangeBuild(access, who({ userId: 'U03' }), 'U01')).toEqual({
      allowed: false,
      reason: 'Only <@U01>, who requested it, or an admin can do that.',
    });
    expect(mayChangeBuild(access, who({ userId: 'U03' }), undefined).allowed).toBe(false);
  });

  it('look up only the user groups some rule mentions', () => {
    const access = Access.parse({ build: { userGroups: ['S01'] }, admins: { userGroups: ['S02', 'S01'] } });
    expect(configuredGroups(access).sort()).toEqual(['S01', 'S02']);
  });

  it('refuse names where Slack IDs belong, saying how to fix it', () => {
    const result = Access.safeParse({ build: { users: ['@alice'], channels: ['#builds'] } });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => i.message).join('\n') ?? '';
    expect(messages).toContain('"@alice" is not a Slack user ID');
    expect(messages).toContain('"#builds" is not a Slack channel ID');
  });
});
