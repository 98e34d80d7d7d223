import fc from 'fast-check';
import { parse, stringify } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBibConfigToml, toBibConfigToml } from '../../src/domain/bib-config.ts';
import { type Customizations, LIMITS } from '../../src/domain/build-request.ts';
import { validateBuildRequest } from '../../src/domain/validate-build-request.ts';
import { checkAcceptedRequest, checkToml, plain } from './support/accepted.ts';
import { anyText, blueprintCustomizations, HOSTILE_SNIPPETS, kickstart } from './support/arbitraries.ts';
import { blueprintProblems } from './support/bib-oracle.ts';
import { policyOf, propertyConfig } from './support/config.ts';
import {
  assertProperty,
  createFigures,
  oneCase,
  outcomeOf,
  printFigures,
  record,
} from './support/figures.ts';

const config = propertyConfig();
const policy = policyOf(config);
const roundTrip = createFigures('config.toml round trip (toBibConfigToml, smol-toml, parseBibConfigToml)');
const reading = createFigures('config.toml files people hand the CLI (parseBibConfigToml, then the request)');

afterAll(() => {
  printFigures(roundTrip);
  printFigures(reading);
});

/** Any Unicode text TOML can hold (every code point but lone surrogates, which UTF-8 cannot encode). */
function text(maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .string({ unit: 'binary', maxLength: Math.min(maxLength, 40) })
      .filter((s) => !/[\ud800-\udfff]/u.test(s)),
    fc.string({ unit: 'grapheme', maxLength: Math.min(maxLength, 20) }),
    fc.constantFrom(...HOSTILE_SNIPPETS.filter((s) => s.length <= maxLength && !/[\ud800-\udfff]/u.test(s))),
  );
}

/** Customizations of the right shape holding any text at all: the serialiser must be faithful for every value. */
const customizations: fc.Arbitrary<Customizations> = fc
  .record({
    users: fc.array(
      fc.record({
        name: text(LIMITS.userName),
        passwordHash: fc.option(text(64), { nil: undefined }),
        sshKeys: fc.array(text(200), { maxLength: 1 }),
        groups: fc.array(text(LIMITS.userName), { maxLength: 3 }),
      }),
      { maxLength: 3 },
    ),
    kernelAppend: fc.option(text(200), { nil: undefined }),
    kickstart: fc.option(
      fc.oneof(
        text(400),
        kickstart.filter((k) => k.length <= LIMITS.kickstart && !/[\ud800-\udfff]/u.test(k)),
      ),
      {
        nil: undefined,
      },
    ),
    anacondaModules: fc.option(
      fc.record({ enable: fc.array(text(LIMITS.anacondaModuleName)), disable: fc.array(text(60)) }),
      { nil: undefined },
    ),
    iso: fc.option(fc.record({ volumeId: text(LIMITS.volumeId) }), { nil: undefined }),
    fips: fc.boolean(),
  })
  .map((c) => {
    const out: Customizations = { users: c.users, fips: c.fips };
    if (c.kernelAppend !== undefined) out.kernelAppend = c.kernelAppend;
    if (c.kickstart !== undefined) out.kickstart = c.kickstart;
    if (c.anacondaModules !== undefined) out.anacondaModules = c.anacondaModules;
    if (c.iso !== undefined) out.iso = c.iso;
    return out;
  });

/** Blueprints as people write them, at the top level or under [blueprint], or no customizations at all. */
const blueprintDoc = blueprintCustomizations.chain((c) =>
  fc.constantFrom<Record<string, unknown>>({ customizations: c }, { blueprint: { customizations: c } }, {}),
);

const tomlText = fc.oneof(
  { arbitrary: blueprintDoc.map((doc) => toTomlOrEmpty(doc)), weight: 8 },
  {
    arbitrary: fc.constantFrom(
      '[customizations.__proto__]\npolluted = true',
      '[customizations]\n"__proto__" = { polluted = true }',
      '[[customizations.user]]\nname = "a"\n"constructor" = 1',
      '[customizations.installer.kickstart]\ncontents = """\nreboot\n"""\n[customizations.disk]\nminsize = "1 TiB"',
      '[customizations.installer.kickstart]\ncontents = """\n"""\n[customizations.disk]\n"""',
      'customizations = "x"',
      '[customizations\n',
      `[customizations.kernel]\nappend = "${'a'.repeat(5000)}"`,
    ),
    weight: 1,
  },
  { arbitrary: anyText, weight: 1 },
);

function toTomlOrEmpty(doc: Record<string, unknown>): string {
  // smol-toml refuses a few generated shapes; the file is then just empty.
  try {
    return stringify(doc);
  } catch {
    return '';
  }
}

describe('config.toml under generated customizations and files', () => {
  it('writes a config.toml that smol-toml and parseBibConfigToml read back to exactly the same values', () => {
    assertProperty(
      roundTrip,
      fc.property(customizations, (c) =>
        oneCase(roundTrip, () => {
          roundTrip.accepted += 1;
          checkToml(roundTrip, c, c);
        }),
      ),
    );
    expect(roundTrip.examples).toEqual([]);
  });

  it('reads a config.toml into customizations or refuses it by name, and what it accepts is safe all the way to BIB', () => {
    assertProperty(
      reading,
      fc.property(tomlText, (toml) =>
        oneCase(reading, () => {
          const out = outcomeOf(() => parseBibConfigToml(toml), { requireField: true });
          if (out.kind === 'crash') return record(reading, 'crashes', out.why, toml);
          if (out.kind === 'refused') {
            reading.refused += 1;
            return;
          }
          const request = outcomeOf(() =>
            validateBuildRequest(
              {
                source: 'quay.io/org/image:1',
                builder: { name: 'centos', image: 'quay.io/centos-bootc/bootc-image-builder:latest' },
                type: 'iso',
                arch: 'x86_64',
                requester: { kind: 'cli', user: 'alice' },
                requestedAt: '2026-01-31T12:00:00Z',
                customizations: out.value,
              },
              policy,
            ),
          );
          if (request.kind === 'crash') return record(reading, 'crashes', request.why, toml);
          if (request.kind === 'refused') {
            reading.refused += 1;
            return;
          }
          // Keys ISO builds do not take must never get through to an ISO build (disk keys are for disk runs).
          const raw = outcomeOf(() => plain(parse(toml)));
          const keyProblems =
            raw.kind === 'accepted'
              ? blueprintProblems(raw.value).filter((p) => /not accepted for ISO|top-level key/.test(p))
              : ['smol-toml cannot read what parseBibConfigToml accepted'];
          if (keyProblems.length > 0) return record(reading, 'bibWouldReject', keyProblems.join('; '), toml);
          reading.accepted += 1;
          checkAcceptedRequest(reading, request.value, config, policy, toml);
        }),
      ),
    );
    expect(reading.examples).toEqual([]);
  });

  it('refuses more than one SSH key per user with a message instead of writing a broken blueprint', () => {
    const out = outcomeOf(() =>
      toBibConfigToml({ users: [{ name: 'a', sshKeys: ['k1', 'k2'], groups: [] }], fips: false }),
    );
    expect(out.kind).toBe('refused');
  });
});
