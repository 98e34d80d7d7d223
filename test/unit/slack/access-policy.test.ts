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
      typedImages: 'any',
    });
    expect(mayBuild(access, who(), { preset: 'rhel9' }).allowed).toBe(true);
    expect(mayBuild(access, who(), { preset: 'rhel10' })).toMatchObject({
      reason: expect.stringContaining('rhel10'),
    });
    expect(mayBuild(access, who({ userId: 'U07' }), { preset: 'rhel10' }).allowed).toBe(true);
    expect(mayBuild(access, who(), { repository: 'quay.io/x/y' })).toMatchObject({ allowed: false });
    expect(mayBuild(access, who({ groups: ['S05'] }), { repository: 'quay.io/x/y' }).allowed).toBe(true);
    expect(mayBuild(access, who(), { repository: 'registry.redhat.io/x/y' }).allowed).toBe(true);
  });

  const presets = {
    rhel10: { image: 'registry.redhat.io/rhel10/rhel-bootc:10.1' },
    open: { image: 'quay.io/centos-bootc/centos-bootc:stream9' },
  };
  const context = { presets, credentialRegistries: ['registry.redhat.io'] };

  it("apply a preset's rule to its image typed by hand, with any tag or digest", () => {
    const access = Access.parse({
      presets: { rhel10: { users: ['U07'] } },
      registries: { 'registry.redhat.io': {} },
    });
    const typed = { repository: 'registry.redhat.io/rhel10/rhel-bootc' };
    const denied = mayBuild(access, who(), typed, context);
    expect(denied).toEqual({ allowed: false, reason: expect.stringContaining('preset "rhel10"') });
    expect(mayBuild(access, who({ userId: 'U07' }), typed, context).allowed).toBe(true);
    // Another repository on the same registry is not the preset's image.
    expect(
      mayBuild(access, who(), { repository: 'registry.redhat.io/rhel9/rhel-bootc' }, context).allowed,
    ).toBe(true);
  });

  it('refuse typed images from a registry the workers hold credentials for, unless a rule names it', () => {
    const none = Access.parse({ typedImages: 'any' });
    const typed = { repository: 'registry.redhat.io/rhel9/rhel-bootc' };
    expect(mayBuild(none, who(), typed, context)).toEqual({
      allowed: false,
      reason: expect.stringContaining('only be built from presets'),
    });
    // Anonymous registries stay open without a rule.
    expect(mayBuild(none, who(), { repository: 'quay.io/a/b' }, context).allowed).toBe(true);
    const ruled = Access.parse({
      registries: { 'registry.redhat.io/rhel9/': { users: ['U01'] } },
      typedImages: 'any',
    });
    expect(mayBuild(ruled, who(), typed, context).allowed).toBe(true);
    expect(mayBuild(ruled, who({ userId: 'U02' }), typed, context).allowed).toBe(false);
  });

  it('allow typed images by repository prefix, the most specific rule winning', () => {
    const access = Access.parse({
      typedImages: ['quay.io/myorg/', 'quay.io/centos-bootc/centos-bootc'],
      registries: { 'quay.io': { users: ['U09'] }, 'quay.io/myorg/': {} },
    });
    expect(mayBuild(access, who(), { repository: 'quay.io/myorg/app' }, context).allowed).toBe(true);
    expect(mayBuild(access, who(), { repository: 'quay.io/myorgevil/app' }, context)).toEqual({
      allowed: false,
      reason: expect.stringContaining('Typed images may only come from'),
    });
    expect(mayBuild(access, who(), { repository: 'quay.io/attacker/bootc' }, context).allowed).toBe(false);
    // Listed, but the host rule (the most specific one for it) asks for U09.
    expect(
      mayBuild(access, who(), { repository: 'quay.io/centos-bootc/centos-bootc' }, context).allowed,
    ).toBe(false);
    const typedCentos = { repository: 'quay.io/centos-bootc/centos-bootc' };
    expect(mayBuild(access, who({ userId: 'U09' }), typedCentos, context).allowed).toBe(true);
    expect(Access.safeParse({ typedImages: ['https://quay.io/'] }).success).toBe(false);
  });

  it("allow typed images only from the vendors' bootc repositories unless configured otherwise", () => {
    const shipped = Access.parse({});
    const typed = (repository: string) => mayBuild(shipped, who(), { repository }, context).allowed;
    expect(typed('quay.io/centos-bootc/centos-bootc')).toBe(true);
    expect(typed('quay.io/fedora/fedora-bootc')).toBe(true);
    // Anyone can push to quay.io: a look-alike is refused.
    expect(typed('quay.io/centos-bootc-evil/centos-bootc')).toBe(false);
    expect(typed('quay.io/fedora/fedora-bootc-tools')).toBe(false);
    expect(typed('docker.io/library/busybox')).toBe(false);
    // registry.redhat.io holds the workers' credentials: it needs a registry rule as well.
    expect(typed('registry.redhat.io/rhel9/rhel-bootc')).toBe(false);
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
