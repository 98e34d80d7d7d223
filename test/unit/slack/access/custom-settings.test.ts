import { describe, expect, it } from 'vitest';
import { Access } from '../../../../src/config/access-schema.ts';
import { mayBuild } from '../../../../src/slack/access/access-policy.ts';
import { customSettingsUsed } from '../../../../src/slack/access/custom-settings.ts';
import { statusMessage } from '../../../../src/slack/messages/status-message.ts';
import { request, status } from '../slack-fixtures.ts';

const who = { userId: 'U01', channelId: 'C01', groups: [] as string[] };

describe('custom kickstart, users and kernel arguments', () => {
  it('are named when a request sets them, and only then', () => {
    expect(customSettingsUsed({ users: [], fips: false })).toEqual([]);
    expect(customSettingsUsed({ kickstart: '  ', kernelAppend: '' })).toEqual([]);
    expect(
      customSettingsUsed({ kickstart: '%post\n%end', users: [{ name: 'admin' }], kernelAppend: 'selinux=0' }),
    ).toEqual(['kickstart', 'users', 'kernel arguments']);
  });

  it('can be limited to some people by access.customSettings, for presets and typed images alike', () => {
    const access = Access.parse({ customSettings: { users: ['U09'] } });
    const denied = mayBuild(access, who, { preset: 'rhel9', customSettings: ['kickstart'] });
    expect(denied).toEqual({ allowed: false, reason: expect.stringContaining('custom kickstart') });
    expect(mayBuild(access, who, { repository: 'quay.io/a/b', customSettings: ['users'] }).allowed).toBe(
      false,
    );
    expect(
      mayBuild(access, { ...who, userId: 'U09' }, { preset: 'rhel9', customSettings: ['users'] }).allowed,
    ).toBe(true);
    expect(mayBuild(access, who, { preset: 'rhel9', customSettings: [] }).allowed).toBe(true);
    // Open by default: nothing changes for a config without the rule.
    expect(mayBuild(Access.parse({}), who, { preset: 'rhel9', customSettings: ['kickstart'] }).allowed).toBe(
      true,
    );
  });

  it('show in the status message, so reviewers in the channel see them', () => {
    const custom = request({ customizations: { kickstart: '%post\n%end', users: [], fips: false } });
    const shown = JSON.stringify(statusMessage(status({ state: 'queued', request: custom })).blocks);
    expect(shown).toContain('Custom settings');
    expect(shown).toContain('kickstart');
    const plain = JSON.stringify(statusMessage(status({ state: 'queued', request: request() })).blocks);
    expect(plain).not.toContain('Custom settings');
  });
});
