import { LIMITS } from './build-request.ts';
import { quoteForMessage, singleLineProblem } from './text-rules.ts';

/**
 * Password-hash and SSH-key checks. Both values end up in the installer's kickstart (`user --password … --iscrypted`,
 * `sshkey --username … "KEY"`, osbuild's org.osbuild.kickstart stage, unescaped), so the accepted alphabet is narrow.
 * Messages never echo a password hash: a user who pasted a real password must not see it repeated in a channel.
 */

const B64 = '[./0-9A-Za-z]';
interface CryptFormat {
  prefix: string;
  name: string;
  pattern: RegExp;
  /** Kept as given by every shipped builder; the others only by a builder declaring `feature`. */
  feature?: 'yescrypt';
}
const CRYPT_FORMATS: CryptFormat[] = [
  {
    prefix: '$6$',
    name: 'SHA-512',
    pattern: new RegExp(`^\\$6\\$(?:rounds=\\d{1,9}\\$)?${B64}{1,16}\\$${B64}{86}$`),
  },
  {
    prefix: '$5$',
    name: 'SHA-256',
    pattern: new RegExp(`^\\$5\\$(?:rounds=\\d{1,9}\\$)?${B64}{1,16}\\$${B64}{43}$`),
  },
  { prefix: '$2b$', name: 'bcrypt', pattern: new RegExp(`^\\$2b\\$(?:0[4-9]|[12]\\d|3[01])\\$${B64}{53}$`) },
  {
    prefix: '$y$',
    name: 'yescrypt',
    pattern: new RegExp(`^\\$y\\$${B64}+\\$${B64}{1,86}\\$${B64}{43}$`),
    feature: 'yescrypt',
  },
];
const HOW_TO_HASH = 'make one with `openssl passwd -6`';

/** What the builder does with the hash kinds users know; anything not listed here is refused just the same. */
const REHASHED: Record<string, string> = {
  $y$: 'yescrypt ($y$)',
  $2y$: 'bcrypt $2y$',
  $2a$: 'bcrypt $2a$',
  $1$: 'MD5 crypt ($1$)',
};

export interface HashOptions {
  /** The build's builder keeps yescrypt hashes (declared by the operator). */
  yescrypt?: boolean;
}

function acceptedKinds(opts: HashOptions): string {
  return `SHA-512 ($6$), SHA-256 ($5$)${opts.yescrypt ? ', yescrypt ($y$)' : ''} or bcrypt ($2b$)`;
}

/**
 * bootc-image-builder only recognises a few crypt(3) prefixes; any other value it takes for a plain password and
 * hashes again, so the build succeeds and nobody can log in with the intended password.
 */
function rehashedProblem(hash: string, label: string, opts: HashOptions): string {
  const kind = Object.entries(REHASHED).find(([prefix]) => hash.startsWith(prefix))?.[1] ?? 'this hash type';
  const bcryptHint = /^\$2[ay]\$/.test(hash) ? ' (the same hash with the prefix $2b$ works)' : '';
  const operatorHint = hash.startsWith('$y$')
    ? '; an operator can declare the yescrypt feature for a builder that keeps them'
    : '';
  return `${label}: ${kind} is not kept by bootc-image-builder: it would take the hash for a plain password and hash it again, so nobody could log in${bcryptHint}; use ${acceptedKinds(opts)}: ${HOW_TO_HASH}${operatorHint}`;
}

export function passwordHashProblem(hash: string, label: string, opts: HashOptions = {}): string | undefined {
  if (hash === '') return `${label} is empty; leave it out to create the user without a password`;
  if (!hash.startsWith('$')) {
    return `${label}: give a crypt(3) hash (e.g. \`openssl passwd -6\`), never a plain password; if this was a real password, change it`;
  }
  const format = CRYPT_FORMATS.find(
    (f) => hash.startsWith(f.prefix) && (f.feature === undefined || opts[f.feature] === true),
  );
  if (!format) return rehashedProblem(hash, label, opts);
  if (!format.pattern.test(hash)) {
    return `${label}: looks like a ${format.name} crypt hash but is malformed (cut short when pasting?); ${HOW_TO_HASH}`;
  }
  return undefined;
}

export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

const KEY_LINE = /^(\S+) ([A-Za-z0-9+/]+={0,2})(?: (.*))?$/;

/** The key type written inside the base64 blob (a uint32 length then the name), or undefined if unreadable. */
function embeddedKeyType(base64: string): string | undefined {
  if (base64.length % 4 !== 0) return undefined;
  let bytes: string;
  try {
    bytes = atob(base64);
  } catch {
    return undefined;
  }
  if (bytes.length < 4) return undefined;
  const length =
    (bytes.charCodeAt(0) << 24) |
    (bytes.charCodeAt(1) << 16) |
    (bytes.charCodeAt(2) << 8) |
    bytes.charCodeAt(3);
  if (length <= 0 || length > 64 || bytes.length < 4 + length) return undefined;
  return bytes.slice(4, 4 + length);
}

/** Checks one OpenSSH public key line (already trimmed). */
export function sshKeyProblem(key: string, label: string): string | undefined {
  if (/PRIVATE KEY/.test(key)) {
    return `${label}: this is a PRIVATE key; paste the public key (the .pub file) instead, and treat this one as leaked`;
  }
  const basic = singleLineProblem(key, label, LIMITS.sshKey);
  if (basic) return basic;
  if (key === '')
    return `${label} is empty; paste a public key such as the contents of ~/.ssh/id_ed25519.pub`;
  const m = KEY_LINE.exec(key);
  const type = m?.[1] ?? key.split(' ')[0] ?? '';
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    if (SSH_KEY_TYPES.some((t) => key.includes(` ${t} `))) {
      return `${label}: authorized_keys options (from=, command=, …) are not supported; give only "<type> <key> [comment]"`;
    }
    return `${label}: key type ${quoteForMessage(type, 40)} is not supported; use one of ${SSH_KEY_TYPES.join(', ')}`;
  }
  if (!m) {
    return `${label}: is not an OpenSSH public key line; expected "<type> <base64 key> [comment]" on one line, e.g. the contents of ~/.ssh/id_ed25519.pub`;
  }
  const data = m[2] ?? '';
  const embedded = embeddedKeyType(data);
  if (embedded === undefined) return `${label}: the key data is not valid base64 (cut short when pasting?)`;
  if (embedded !== type) {
    return `${label}: the key data is a ${quoteForMessage(embedded, 40)} key but the line says ${type}; paste the .pub file unchanged`;
  }
  const comment = m[3] ?? '';
  if (/["\\]/.test(comment)) {
    return `${label}: the comment contains " or \\, which would break the installer's kickstart; remove them`;
  }
  return undefined;
}
