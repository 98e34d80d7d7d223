import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../src/slack/access/audit-log.ts';
import { createGroupResolver } from '../../../src/slack/access/user-groups.ts';

describe('the audit log', () => {
  it('appends one JSON line per decision to its file, with who, what, when and the outcome', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-'));
    const audit = createAuditLog({
      file: join(dir, 'logs', 'audit.jsonl'),
      logger: pino({ level: 'silent' }),
    });
    await audit({ who: 'U1', channel: 'C1', action: 'build', allowed: true, buildId: 'b1', target: 'rhel9' });
    await audit({ who: 'U2', channel: 'C1', action: 'cancel', allowed: false, reason: 'no', buildId: 'b1' });
    await audit({ who: 'U3', action: 'build', allowed: false, reason: 'not allowed' });
    const lines = (await readFile(join(dir, 'logs', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ who: 'U1', action: 'build', allowed: true, buildId: 'b1' });
    expect(Date.parse(lines[0].at)).not.toBeNaN();
  });
});

describe('user group lookups', () => {
  it('find the configured groups a user is in and cache the member lists', async () => {
    let calls = 0;
    const client = {
      usergroups: {
        users: {
          list: async ({ usergroup }: { usergroup: string }) => {
            calls += 1;
            return { ok: true, users: usergroup === 'S1' ? ['U1', 'U2'] : ['U3'] };
          },
        },
      },
    };
    const groupsOf = createGroupResolver(client as never, ['S1', 'S2']);
    expect(await groupsOf('U1')).toEqual(['S1']);
    expect(await groupsOf('U3')).toEqual(['S2']);
    expect(calls).toBe(2);
  });

  it('give up after the timeout instead of stalling a modal submission', async () => {
    const client = { usergroups: { users: { list: () => new Promise(() => undefined) } } };
    const groupsOf = createGroupResolver(client as never, ['S1'], { timeoutMs: 50 });
    await expect(groupsOf('U1')).rejects.toThrow('timed out');
  });
});
