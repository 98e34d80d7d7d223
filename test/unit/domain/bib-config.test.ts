import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { configHash, parseBibConfigToml, toBibConfigToml } from '../../../src/domain/bib-config.ts';
import { Customizations, type UserCustomization } from '../../../src/domain/build-request.ts';
import { appErrorFrom, ED25519_KEY, RSA_KEY, SHA512_HASH, TOML_BREAKOUTS } from './fixtures.ts';

function customizations(input: Parameters<typeof Customizations.parse>[0]): Customizations {
  return Customizations.parse(input);
}

describe('toBibConfigToml', () => {
  it('writes the blueprint sections BIB reads for ISO builds', () => {
    const toml = toBibConfigToml(
      customizations({
        users: [{ name: 'admin', passwordHash: SHA512_HASH, sshKeys: [ED25519_KEY], groups: ['wheel'] }],
        kernelAppend: 'console=tty0',
        anacondaModules: { enable: ['org.fedoraproject.Anaconda.Modules.Localization'] },
        iso: { volumeId: 'MYOS-INSTALL' },
        fips: true,
      }),
    );
    expect(parse(toml)).toEqual({
      customizations: {
        fips: true,
        user: [{ name: 'admin', password: SHA512_HASH, key: ED25519_KEY, groups: ['wheel'] }],
        kernel: { append: 'console=tty0' },
        installer: { modules: { enable: ['org.fedoraproject.Anaconda.Modules.Localization'] } },
        iso: { volume_id: 'MYOS-INSTALL' },
      },
    });
    expect(toml).toContain('[[customizations.user]]');
    expect(toml).toContain('[customizations.kernel]');
    expect(toml).toContain('[customizations.iso]');
  });

  it('writes a kickstart under installer.kickstart.contents', () => {
    const toml = toBibConfigToml(customizations({ kickstart: 'text\nreboot\n' }));
    expect(parse(toml)).toEqual({
      customizations: { installer: { kickstart: { contents: 'text\nreboot\n' } } },
    });
  });

  it('leaves out empty sections, empty key lists and fips = false', () => {
    expect(toBibConfigToml(customizations({}))).toBe(
      toBibConfigToml(customizations({ users: [], fips: false })),
    );
    expect(parse(toBibConfigToml(customizations({ anacondaModules: { enable: [], disable: [] } })))).toEqual(
      {},
    );
    expect(parse(toBibConfigToml(customizations({ users: [{ name: 'a' }] })))).toEqual({
      customizations: { user: [{ name: 'a' }] },
    });
  });

  it('refuses several SSH keys for one user, which BIB cannot represent', () => {
    const error = appErrorFrom(() =>
      toBibConfigToml(customizations({ users: [{ name: 'a', sshKeys: [ED25519_KEY, RSA_KEY] }] })),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toContain('one key per user');
  });

  it('keeps TOML break-out attempts as data instead of new tables', () => {
    for (const hostile of TOML_BREAKOUTS) {
      const c = customizations({
        kickstart: hostile,
        kernelAppend: hostile,
        iso: { volumeId: hostile.slice(0, 32) },
      });
      const toml = toBibConfigToml(c);
      const raw = parse(toml) as { customizations: Record<string, unknown> };
      expect(Object.keys(raw)).toEqual(['customizations']);
      expect(Object.keys(raw.customizations).sort()).toEqual(['installer', 'iso', 'kernel']);
      expect(parseBibConfigToml(toml)).toEqual(c);
    }
  });
});

describe('the [customizations.iso] section', () => {
  it('is written with volume_id only and never without it', () => {
    expect(parse(toBibConfigToml(customizations({ iso: { volumeId: 'LABEL' } })))).toEqual({
      customizations: { iso: { volume_id: 'LABEL' } },
    });
    expect(toBibConfigToml(customizations({ kernelAppend: 'quiet' }))).not.toContain('iso');
  });

  it('refuses publisher and application_id in a hand-written file, which the ISO code ignores', () => {
    for (const key of ['publisher', 'application_id']) {
      const error = appErrorFrom(() =>
        parseBibConfigToml(`[customizations.iso]\nvolume_id = "A"\n${key} = "x"\n`),
      );
      expect(error.field).toBe('customizations.iso.volumeId');
      expect(error.message).toBe(
        `config.toml: customizations.iso.${key} is ignored by bootc-image-builder's ISO code; remove it`,
      );
    }
  });

  it('refuses a section without volume_id, which the builder fails as an invalid volume id', () => {
    const error = appErrorFrom(() => parseBibConfigToml('[customizations.iso]\n'));
    expect(error.message).toContain('customizations.iso has no volume_id');
    expect(error.message).toContain('invalid volume id');
  });
});

describe('parseBibConfigToml', () => {
  it('reads a hand-written blueprint like the upstream example', () => {
    const toml = `
[[customizations.user]]
name = "admin"
key = "${ED25519_KEY}"
groups = ["wheel"]

[customizations.kernel]
append = "console=tty0"

[customizations.iso]
volume_id = "MYOS-INSTALL"
`;
    expect(parseBibConfigToml(toml)).toEqual({
      users: [{ name: 'admin', sshKeys: [ED25519_KEY], groups: ['wheel'] }],
      kernelAppend: 'console=tty0',
      iso: { volumeId: 'MYOS-INSTALL' },
      fips: false,
    });
  });

  it('refuses sections this service does not write, by name', () => {
    // sshd is accepted by the builder for disk images, but its bootc disk images never apply it.
    const error = appErrorFrom(() =>
      parseBibConfigToml('[customizations.sshd]\nPasswordAuthentication = false\n'),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toContain('customizations.sshd is not accepted here');
    expect(appErrorFrom(() => parseBibConfigToml('name = "bp"\n')).message).toContain('name is not accepted');
  });

  it('refuses invalid TOML with its position', () => {
    expect(appErrorFrom(() => parseBibConfigToml('[customizations\n')).message).toContain(
      'config.toml is not valid TOML at line',
    );
  });

  it('refuses values of the wrong type and oversized values with friendly messages', () => {
    expect(appErrorFrom(() => parseBibConfigToml('[customizations]\nfips = "yes"\n')).message).toContain(
      'customizations.fips has the wrong type',
    );
    const big = `[customizations.installer.kickstart]\ncontents = "${'x'.repeat(70_000)}"\n`;
    const error = appErrorFrom(() => parseBibConfigToml(big));
    expect(error.field).toBe('customizations.kickstart');
    expect(error.message).toBe('kickstart: 70000 characters is over the 65536 limit; shorten it');
  });
});

/** A small deterministic generator (mulberry32) so that a failure reproduces from its seed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const pieces = [
    'a',
    'Z',
    '0',
    ' ',
    '"',
    "'",
    '"""',
    "'''",
    '\\',
    '\n',
    '\t',
    '\r\n',
    '[',
    ']]',
    '=',
    '#',
    'é',
    '漢',
    '🚀',
    '\u0000',
    '\u007f',
    '\u202e',
    '$',
    '\\u0041',
    ...TOML_BREAKOUTS,
  ];
  const text = (max: number) => Array.from({ length: int(max) }, () => pick(pieces)).join('');
  // Names and groups are capped at 32 UTF-16 units by the shape; 16 code points always fit.
  const short = (max: number) => Array.from(text(max)).slice(0, 16).join('');
  const maybe = <T>(value: () => T): T | undefined => (next() < 0.5 ? value() : undefined);
  return { int, pick, text, short, maybe, next };
}

function randomCustomizations(g: ReturnType<typeof generator>): Customizations {
  const users: UserCustomization[] = Array.from({ length: g.int(3) }, () => {
    const user: UserCustomization = {
      name: g.short(6),
      sshKeys: g.next() < 0.5 ? [g.text(8)] : [],
      groups: Array.from({ length: g.int(3) }, () => g.short(4)),
    };
    const hash = g.maybe(() => g.text(8));
    if (hash !== undefined) user.passwordHash = hash;
    return user;
  });
  const c: Customizations = { users, fips: g.next() < 0.5 };
  const kernelAppend = g.maybe(() => g.text(10));
  if (kernelAppend !== undefined) c.kernelAppend = kernelAppend;
  const kickstart = g.maybe(() => g.text(30));
  if (kickstart !== undefined) c.kickstart = kickstart;
  if (g.next() < 0.5) {
    // Both lists empty is written as no section at all, so the generator only makes sections that carry data.
    c.anacondaModules = {
      enable: [g.text(5), g.text(5)],
      disable: Array.from({ length: g.int(2) }, () => g.text(5)),
    };
  }
  if (g.next() < 0.5) c.iso = { volumeId: g.short(5) };
  return c;
}

describe('TOML round trip over generated values', () => {
  it('parse(toBibConfigToml(c)) equals c for 500 generated customizations full of hostile strings', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const c = randomCustomizations(generator(seed));
      const toml = toBibConfigToml(c);
      expect(parseBibConfigToml(toml), `seed ${seed}`).toEqual(c);
    }
  });
});

describe('configHash', () => {
  it('is a sha256 hex digest that ignores key order and empty sections', () => {
    const a = customizations({ kernelAppend: 'quiet', fips: true, iso: { volumeId: 'A' } });
    const b = customizations({
      iso: { volumeId: 'A' },
      fips: true,
      kernelAppend: 'quiet',
      anacondaModules: {},
    });
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash(a)).toBe(configHash(b));
  });

  it('changes when anything BIB sees changes', () => {
    const base = customizations({ kernelAppend: 'quiet' });
    expect(configHash(base)).not.toBe(configHash(customizations({ kernelAppend: 'quiet ' })));
    expect(configHash(base)).not.toBe(configHash(customizations({ kernelAppend: 'quiet', fips: true })));
  });
});
