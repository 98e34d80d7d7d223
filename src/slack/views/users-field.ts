import type { z } from 'zod';
import type { UserCustomization } from '../../domain/build-request.ts';

/**
 * The modal's Users field: one user per line, fields separated by "|" because SSH keys contain spaces:
 *
 *   name | ssh-key | groups | password-hash
 *
 * Only the name is required; empty fields are skipped (`bob | | wheel`). Groups are separated by commas or spaces.
 * Blank lines and lines starting with # are ignored. The content rules (valid names, key format, crypt hashes) are
 * the domain validator's; this only splits lines into fields.
 */
export const USERS_FORMAT_HINT =
  'One user per line: name | ssh-key | groups | password-hash — only the name is required. ' +
  'Example: admin | ssh-ed25519 AAAAC3Nz… me@laptop | wheel,adm. ' +
  'The password must be a $6$, $5$ or $2b$ crypt hash (openssl passwd -6), never a plain password. ' +
  'root is locked: give root an SSH key, not a password. ' +
  'One SSH key per user. Blank lines and lines starting with # are ignored. Cannot be combined with a kickstart.';

export const USERS_PLACEHOLDER = 'admin | ssh-ed25519 AAAAC3Nz… me@laptop | wheel';

const EXAMPLE = '`admin | ssh-ed25519 AAAA… | wheel`';

type UserInput = z.input<typeof UserCustomization>;

export interface ParsedUsers {
  users: UserInput[];
  /** 1-based line number of each user, to point validator messages ("user 2 …") at the line. */
  lineOf: number[];
  /** Line-numbered syntax problems. */
  problems: string[];
}

function parseLine(line: string, n: number): UserInput | string {
  const fields = line.split('|').map((f) => f.trim());
  if (fields.length > 4) {
    return `line ${n}: has ${fields.length} fields; write at most name | ssh-key | groups | password-hash`;
  }
  const [name = '', key = '', groups = '', hash = ''] = fields;
  if (name === '') return `line ${n}: the user name is missing; start the line with it, e.g. ${EXAMPLE}`;
  if (/\s/.test(name)) {
    return `line ${n}: separate the name from the other fields with "|", e.g. ${EXAMPLE}`;
  }
  if (key.startsWith('$')) {
    return `line ${n}: the second field is the SSH key; put a password hash fourth: name | | | $6$…`;
  }
  const user: UserInput = { name };
  if (key !== '') user.sshKeys = [key];
  const groupList = groups.split(/[\s,]+/).filter((g) => g !== '');
  if (groupList.length > 0) user.groups = groupList;
  if (hash !== '') user.passwordHash = hash;
  return user;
}

/** Splits the Users field into users; problems name the line. Windows line endings are accepted. */
export function parseUsersField(text: string): ParsedUsers {
  const out: ParsedUsers = { users: [], lineOf: [], problems: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parsed = parseLine(line, i + 1);
    if (typeof parsed === 'string') out.problems.push(parsed);
    else {
      out.users.push(parsed);
      out.lineOf.push(i + 1);
    }
  });
  return out;
}

/** Rewrites a validator message that starts "user 3 …" to "line 7 …", the line the user typed it on. */
export function pointAtLine(message: string, lineOf: readonly number[]): string {
  return message.replace(/^user (\d+)\b/, (whole, n: string) => {
    const line = lineOf[Number(n) - 1];
    return line === undefined ? whole : `line ${line}`;
  });
}
