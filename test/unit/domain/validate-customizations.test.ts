import { describe, expect, it } from 'vitest';
import type { BuildRequestInput } from '../../../src/domain/build-request.ts';
import {
  collectBuildRequestErrors,
  validateBuildRequest,
} from '../../../src/domain/validate-build-request.ts';
import { ANACONDA_MODULES } from '../../../src/domain/validate-customizations.ts';
import {
  appErrorFrom,
  BCRYPT_HASH,
  buildInput,
  ECDSA_KEY,
  ED25519_KEY,
  MD5_HASH,
  PRIVATE_KEY,
  policy,
  RSA_KEY,
  SHA256_HASH,
  SHA512_HASH,
  YESCRYPT_HASH,
} from './fixtures.ts';

type CustomizationsInput = NonNullable<BuildRequestInput['customizations']>;
type UserInput = NonNullable<CustomizationsInput['users']>[number];

function withCustomizations(customizations: CustomizationsInput) {
  return buildInput({ customizations });
}

function refusal(customizations: CustomizationsInput) {
  return appErrorFrom(() => validateBuildRequest(withCustomizations(customizations), policy));
}

function userRefusal(user: UserInput) {
  return refusal({ users: [user] });
}

function accepted(customizations: CustomizationsInput) {
  return validateBuildRequest(withCustomizations(customizations), policy).customizations;
}

describe('kickstart rules', () => {
  it('refuses a kickstart together with users, quoting BIB and giving the fix', () => {
    const error = refusal({ kickstart: 'text\nreboot\n', users: [{ name: 'admin', groups: ['wheel'] }] });
    expect(error.field).toBe('customizations.kickstart');
    expect(error.message).toContain(
      'customizations.installer.kickstart.contents cannot be used with customizations.user or customizations.group',
    );
    expect(error.message).toContain('put the users in the kickstart');
    expect(error.message).toContain('or remove the kickstart');
  });

  it('refuses an ostreecontainer line because BIB adds its own', () => {
    const error = refusal({ kickstart: 'text\n  ostreecontainer --url quay.io/x:y\nreboot' });
    expect(error.field).toBe('customizations.kickstart');
    expect(error.message).toContain('remove the ostreecontainer line (line 2)');
  });

  it('refuses an empty kickstart and one with NUL or bidi controls', () => {
    expect(refusal({ kickstart: ' \n' }).message).toContain('kickstart is empty');
    expect(refusal({ kickstart: 'text\n\u0000' }).message).toContain(
      'kickstart: contains the control character U+0000',
    );
    expect(refusal({ kickstart: 'text\n# \u202e' }).message).toContain('U+202E');
  });

  it('accepts a multi-line kickstart with tabs and normalises Windows line endings', () => {
    expect(accepted({ kickstart: 'text\r\n\tzerombr\r\nreboot\r\n' }).kickstart).toBe(
      'text\n\tzerombr\nreboot\n',
    );
  });
});

describe('user rules', () => {
  it('accepts users with each hash type the builder keeps ($6$, $5$, $2b$), one SSH key and groups', () => {
    const users = [
      { name: 'admin', passwordHash: SHA512_HASH, sshKeys: [ED25519_KEY], groups: ['wheel'] },
      { name: 'ops', passwordHash: SHA256_HASH, sshKeys: [ECDSA_KEY] },
      { name: '_svc', sshKeys: [RSA_KEY] },
      { name: 'dev-1', passwordHash: BCRYPT_HASH },
    ];
    expect(accepted({ users }).users).toHaveLength(4);
  });

  it('refuses hashes the builder would re-hash as plain text, naming the accepted kinds and openssl passwd -6', () => {
    const cases: [string, string][] = [
      [YESCRYPT_HASH, 'yescrypt ($y$) is not kept by bootc-image-builder'],
      [BCRYPT_HASH.replace('$2b$', '$2y$'), 'bcrypt $2y$ is not kept by bootc-image-builder'],
      [BCRYPT_HASH.replace('$2b$', '$2a$'), 'bcrypt $2a$ is not kept'],
      [MD5_HASH, 'MD5 crypt ($1$) is not kept'],
      ['$7$CU..../....abc', 'this hash type is not kept'],
    ];
    for (const [hash, start] of cases) {
      const error = userRefusal({ name: 'a', passwordHash: hash });
      expect(error.field).toBe('customizations.users[0].passwordHash');
      expect(error.message).toContain(`user 1 password hash: ${start}`);
      expect(error.message).toContain('hash it again, so nobody could log in');
      expect(error.message).toContain('use SHA-512 ($6$), SHA-256 ($5$) or bcrypt ($2b$)');
      expect(error.message).toContain('`openssl passwd -6`');
      expect(error.message).not.toContain(hash);
    }
    expect(userRefusal({ name: 'a', passwordHash: BCRYPT_HASH.replace('$2b$', '$2y$') }).message).toContain(
      'the same hash with the prefix $2b$ works',
    );
    expect(userRefusal({ name: 'a', passwordHash: YESCRYPT_HASH }).message).toContain(
      'an operator can declare the yescrypt feature',
    );
  });

  it('accepts yescrypt only on a builder that declares the yescrypt feature', () => {
    const input = buildInput({
      builder: { name: 'newer', image: 'quay.io/centos-bootc/bootc-image-builder:next' },
      customizations: { users: [{ name: 'a', passwordHash: YESCRYPT_HASH }] },
    });
    expect(validateBuildRequest(input, policy).customizations.users[0]?.passwordHash).toBe(YESCRYPT_HASH);
    const malformed = buildInput({
      ...input,
      customizations: { users: [{ name: 'a', passwordHash: '$y$x' }] },
    });
    expect(appErrorFrom(() => validateBuildRequest(malformed, policy)).message).toContain(
      'looks like a yescrypt crypt hash but is malformed',
    );
  });

  it('trims a pasted SSH key that ends in a newline', () => {
    expect(accepted({ users: [{ name: 'a', sshKeys: [`  ${ED25519_KEY}\n`] }] }).users[0]?.sshKeys).toEqual([
      ED25519_KEY,
    ]);
  });

  it('refuses bad user names, including shell metacharacters, uppercase and over-long names', () => {
    for (const name of [';rm -rf /', '$(id)', '`id`', 'Admin', '1admin', 'a b', 'a'.repeat(33)]) {
      const error = userRefusal({ name });
      expect(error.field).toBe('customizations.users[0].name');
      expect(error.message).toMatch(/user 1 name: .*(not a valid user name|over the 32 limit)/);
    }
  });

  it('accepts root with an SSH key, which the installer keeps', () => {
    expect(accepted({ users: [{ name: 'root', sshKeys: [ED25519_KEY] }] }).users[0]?.name).toBe('root');
  });

  it('refuses a root password with the reason: the installer locks root', () => {
    const error = userRefusal({ name: 'root', passwordHash: SHA512_HASH, sshKeys: [ED25519_KEY] });
    expect(error.field).toBe('customizations.users[0].passwordHash');
    expect(error.message).toContain(
      'root is locked by the installer (rootpw --lock), so a root password never works',
    );
    expect(error.message).toContain('give root an SSH key');
  });

  it('refuses root without an SSH key, and root with groups', () => {
    const bare = userRefusal({ name: 'root' });
    expect(bare.field).toBe('customizations.users[0].name');
    expect(bare.message).toContain('only an SSH key lets root log in');
    const groups = userRefusal({ name: 'root', sshKeys: [ED25519_KEY], groups: ['wheel'] });
    expect(groups.field).toBe('customizations.users[0].groups');
  });

  it('refuses the same user twice', () => {
    const error = refusal({ users: [{ name: 'a' }, { name: 'a' }] });
    expect(error.field).toBe('customizations.users[1].name');
    expect(error.message).toContain('listed twice');
  });

  it('refuses a plain password without ever repeating it', () => {
    const error = userRefusal({ name: 'a', passwordHash: 'hunter2' });
    expect(error.field).toBe('customizations.users[0].passwordHash');
    expect(error.message).toContain(
      'give a crypt(3) hash (e.g. `openssl passwd -6`), never a plain password',
    );
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses malformed hashes and empty hashes', () => {
    expect(userRefusal({ name: 'a', passwordHash: SHA512_HASH.slice(0, -5) }).message).toContain(
      'looks like a SHA-512 crypt hash but is malformed',
    );
    expect(userRefusal({ name: 'a', passwordHash: `${SHA512_HASH}\n--lock` }).message).toContain('malformed');
    expect(userRefusal({ name: 'a', passwordHash: '' }).message).toContain('password hash is empty');
  });

  it('refuses a private key and never repeats it', () => {
    const error = userRefusal({ name: 'a', sshKeys: [PRIVATE_KEY] });
    expect(error.field).toBe('customizations.users[0].sshKeys[0]');
    expect(error.message).toContain('this is a PRIVATE key');
    expect(error.message).not.toContain('b3BlbnNzaC1');
  });

  it('refuses keys that are not OpenSSH public key lines, each with its own reason', () => {
    const cases: [string, string][] = [
      ['ssh-dss AAAAB3NzaC1kc3MAAACBAP= x', 'key type "ssh-dss" is not supported'],
      [`from="10.0.0.1" ${ED25519_KEY}`, 'authorized_keys options'],
      ['ssh-ed25519', 'is not an OpenSSH public key line'],
      ['ssh-ed25519 AAAA!!!!', 'is not an OpenSSH public key line'],
      ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICd33AH', 'not valid base64'],
      [
        `ssh-rsa ${ED25519_KEY.split(' ')[1]}`,
        'the key data is a "ssh-ed25519" key but the line says ssh-rsa',
      ],
      [`${ED25519_KEY} "quoted"`, "would break the installer's kickstart"],
      [`${ED25519_KEY}\nssh-ed25519 AAAA second`, 'must be a single line'],
      ['', 'is empty'],
    ];
    for (const [key, fragment] of cases) {
      expect(userRefusal({ name: 'a', sshKeys: [key] }).message).toContain(fragment);
    }
  });

  it('refuses more than one SSH key per user, pointing at a kickstart for several', () => {
    const error = userRefusal({ name: 'a', sshKeys: [ED25519_KEY, RSA_KEY] });
    expect(error.field).toBe('customizations.users[0].sshKeys');
    expect(error.message).toContain('takes one SSH key per user');
    expect(error.message).toContain('sshkey --username=a');
  });

  it('refuses a 100 KB SSH key by length', () => {
    const error = userRefusal({ name: 'a', sshKeys: [`ssh-ed25519 ${'A'.repeat(100_000)}`] });
    expect(error.message).toBe('user 1 SSH key 1: 100012 characters is over the 16384 limit; shorten it');
  });

  it('refuses bad group names with the group position', () => {
    const error = userRefusal({ name: 'a', groups: ['wheel', 'Wheel;x'] });
    expect(error.field).toBe('customizations.users[0].groups[1]');
    expect(error.message).toContain('user 1 group 2: "Wheel;x" is not a valid group name');
  });
});

describe('kernel arguments and ISO settings', () => {
  it('accepts ordinary kernel arguments and refuses line breaks, controls, quotes and over-long values', () => {
    expect(accepted({ kernelAppend: 'console=ttyS0,115200n8 quiet' }).kernelAppend).toBe(
      'console=ttyS0,115200n8 quiet',
    );
    expect(refusal({ kernelAppend: 'quiet\nrd.break' }).message).toContain(
      'kernel arguments: must be a single line',
    );
    expect(refusal({ kernelAppend: 'quiet\u0000' }).message).toContain(
      'kernel arguments: contains the control character',
    );
    expect(refusal({ kernelAppend: 'a="b c"' }).message).toContain('remove the quotes (")');
    expect(refusal({ kernelAppend: 'a=b\\c' }).message).toContain('remove the backslashes');
    expect(refusal({ kernelAppend: 'x'.repeat(2049) }).message).toBe(
      'kernel arguments: 2049 characters is over the 2048 limit; shorten it',
    );
  });

  it("refuses a single quote in kernel arguments: osbuild writes them as bootloader --append='…'", () => {
    const error = refusal({ kernelAppend: "quiet rd.info='x'" });
    expect(error.field).toBe('customizations.kernelAppend');
    expect(error.message).toBe(
      "kernel arguments: remove the quotes ('): the installer's kickstart puts the arguments in quotes, and this one would end them early",
    );
  });

  it('accepts a volume id the builder accepts (letters, digits, _ and -) and says which character is wrong otherwise', () => {
    expect(accepted({ iso: { volumeId: 'MyOS-10_x86' } }).iso?.volumeId).toBe('MyOS-10_x86');
    const dot = refusal({ iso: { volumeId: 'MYOS-10.1' } });
    expect(dot.field).toBe('customizations.iso.volumeId');
    expect(dot.message).toContain('ISO volume id: "." at character 8 is not allowed');
    expect(dot.message).toContain('invalid volume id');
    expect(refusal({ iso: { volumeId: 'MY OS' } }).message).toContain('a space breaks booting');
    expect(refusal({ iso: { volumeId: 'A'.repeat(33) } }).message).toBe(
      'ISO volume id: 33 characters is over the 32 limit; shorten it',
    );
    expect(refusal({ iso: { volumeId: '' } }).message).toContain('ISO volume id is empty');
  });

  it('no longer takes publisher or application id, which the ISO code ignores, nor a section without a label', () => {
    const publisher = appErrorFrom(() =>
      validateBuildRequest(
        withCustomizations({ iso: { volumeId: 'A', publisher: 'ACME' } as never }),
        policy,
      ),
    );
    expect(publisher.field).toBe('customizations.iso.publisher');
    expect(publisher.message).toContain('unknown field');
    const empty = appErrorFrom(() => validateBuildRequest(withCustomizations({ iso: {} as never }), policy));
    expect(empty.field).toBe('customizations.iso.volumeId');
    expect(empty.message).toBe('ISO volume id is required');
  });
});

describe('Anaconda modules', () => {
  it('accepts every known module', () => {
    expect(accepted({ anacondaModules: { enable: ANACONDA_MODULES } }).anacondaModules?.enable).toHaveLength(
      10,
    );
  });

  it('refuses an unknown module by name and suggests the full name for a short or miscased one', () => {
    const typo = refusal({ anacondaModules: { enable: ['org.fedoraproject.Anaconda.Modules.Storag'] } });
    expect(typo.field).toBe('customizations.anacondaModules.enable[0]');
    expect(typo.message).toContain('unknown Anaconda module "org.fedoraproject.Anaconda.Modules.Storag"');
    const short = refusal({ anacondaModules: { disable: ['Timezone'] } });
    expect(short.field).toBe('customizations.anacondaModules.disable[0]');
    expect(short.message).toContain('did you mean org.fedoraproject.Anaconda.Modules.Timezone?');
  });

  it('refuses a module that is both enabled and disabled', () => {
    const name = 'org.fedoraproject.Anaconda.Modules.Users';
    expect(refusal({ anacondaModules: { enable: [name], disable: [name] } }).message).toContain(
      'is both enabled and disabled',
    );
  });
});

describe('every customization problem at once', () => {
  it('lists each bad field separately for the modal', () => {
    const errors = collectBuildRequestErrors(
      withCustomizations({
        users: [{ name: 'ok', passwordHash: 'plain', sshKeys: ['nope'], groups: ['BAD'] }],
        kickstart: 'ostreecontainer --url x',
        anacondaModules: { enable: ['Foo'] },
      }),
      policy,
    );
    expect(errors.map((e) => e.field)).toEqual([
      'customizations.users[0].passwordHash',
      'customizations.users[0].sshKeys[0]',
      'customizations.users[0].groups[0]',
      'customizations.kickstart',
      'customizations.kickstart',
      'customizations.anacondaModules.enable[0]',
    ]);
  });
});
