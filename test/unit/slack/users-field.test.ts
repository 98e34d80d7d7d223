import { describe, expect, it } from 'vitest';
import { parseUsersField, pointAtLine } from '../../../src/slack/views/users-field.ts';
import { ED25519_KEY } from '../domain/fixtures.ts';

describe('parseUsersField', () => {
  it('reads name | ssh-key | groups | password-hash with empty fields skipped', () => {
    const out = parseUsersField(`admin | ${ED25519_KEY} | wheel adm,video\nbob | | wheel\ncarol`);
    expect(out.problems).toEqual([]);
    expect(out.users).toEqual([
      { name: 'admin', sshKeys: [ED25519_KEY], groups: ['wheel', 'adm', 'video'] },
      { name: 'bob', groups: ['wheel'] },
      { name: 'carol' },
    ]);
    expect(out.lineOf).toEqual([1, 2, 3]);
  });

  it('skips blank and comment lines but keeps the real line numbers', () => {
    const out = parseUsersField('\n# team\r\n\nalice');
    expect(out.users).toEqual([{ name: 'alice' }]);
    expect(out.lineOf).toEqual([4]);
  });

  it('names the line and the fix for each syntax problem', () => {
    expect(parseUsersField('a | b | c | d | e').problems).toEqual([
      'line 1: has 5 fields; write at most name | ssh-key | groups | password-hash',
    ]);
    expect(parseUsersField('x\n | key').problems[0]).toMatch(/^line 2: the user name is missing/);
    expect(parseUsersField('admin ssh-ed25519 AAAA').problems[0]).toMatch(
      /^line 1: separate the name .* with "\|"/,
    );
    expect(parseUsersField('admin | $6$abc').problems[0]).toMatch(
      /^line 1: the second field is the SSH key; put a password hash fourth/,
    );
  });
});

describe('pointAtLine', () => {
  it('rewrites "user N" to the line the user was typed on', () => {
    expect(pointAtLine('user 2 name: bad', [3, 7])).toBe('line 7 name: bad');
    expect(pointAtLine('users: too many', [3])).toBe('users: too many');
  });
});
