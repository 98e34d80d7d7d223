import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBuildRequestInput } from '../../src/cli/build-command.ts';
import { parseBuildArgs } from '../../src/cli/parse-build-args.ts';
import { validateBuildRequest } from '../../src/domain/validate-build-request.ts';
import { checkAcceptedRequest } from './support/accepted.ts';
import {
  anyText,
  arch,
  blueprintCustomizations,
  goodKickstart,
  goodRef,
  goodVolumeId,
  groupList,
  HOSTILE_SNIPPETS,
  hostile,
  hostileSnippet,
  imageRef,
  isoType,
  kickstart,
  passwordHash,
  rootfs,
  sshKey,
  userName,
  volumeId,
} from './support/arbitraries.ts';
import { BUILDERS, PRESETS, policyOf, propertyConfig } from './support/config.ts';
import {
  assertAsyncProperty,
  createFigures,
  oneCaseAsync,
  outcomeOf,
  outcomeOfAsync,
  printFigures,
  record,
} from './support/figures.ts';

const config = propertyConfig();
const policy = policyOf(config);
const figures = createFigures('CLI arguments (parseBuildArgs, toBuildRequestInput, validateBuildRequest)');
let dir = '';
let files = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-property-cli-'));
});

afterAll(async () => {
  printFigures(figures);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A file argument: written to a fresh path when the case runs. */
interface FileArg {
  file: 'toml' | 'ks';
  content: string;
}
type Token = string | FileArg;

/** A blueprint as people write them, including keys ISO builds do not take. */
const blueprint = blueprintCustomizations.map((customizations) => ({ customizations }));

const tomlFile = fc.oneof(
  { arbitrary: blueprint.map((b) => stringify(b)), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      '',
      '[customizations]\nfips = true',
      'customizations = 1',
      '[customizations.__proto__]\npolluted = true',
      '[customizations]\n"__proto__" = { polluted = true }',
      '[blueprint.customizations]\nfips = true',
      '[customizations.installer.kickstart]\ncontents = """\nreboot\n"""\n[customizations.disk]\nminsize = "1 TiB"',
      '[[customizations.user]]\nname = "a"\n[[customizations.user]]\nname = "a"',
      'not toml at all = = =',
      '\u0000\u0001',
    ),
    weight: 2,
  },
  { arbitrary: anyText, weight: 1 },
);

const option = (flag: string, value: fc.Arbitrary<string | FileArg>): fc.Arbitrary<Token[]> =>
  fc
    .tuple(value, fc.boolean())
    .map(([v, joined]) => (joined && typeof v === 'string' ? [`${flag}=${v}`] : [flag, v]));

/** Options as people type them, each with its value. */
const anyOption: fc.Arbitrary<Token[]> = fc.oneof(
  option('--image', imageRef),
  option(
    '--preset',
    fc.oneof(fc.constantFrom(...PRESETS, 'constructor', '__proto__', 'nope'), hostileSnippet),
  ),
  option('--builder', fc.oneof(fc.constantFrom(...BUILDERS, 'toString', 'hasOwnProperty'), hostileSnippet)),
  option('--type', isoType),
  option('--installer-payload', imageRef),
  option('--arch', arch),
  option('--rootfs', rootfs),
  option('--user', userName),
  option('--ssh-key', sshKey),
  option('--groups', groupList),
  option('--password-hash', passwordHash),
  option('--kernel-arg', hostile(fc.constantFrom('quiet', 'console=ttyS0'))),
  option('--volume-id', volumeId),
  option(
    '--config',
    fc.oneof(
      tomlFile.map((content): FileArg => ({ file: 'toml', content })),
      fc.constant('/nonexistent/c.toml'),
    ),
  ),
  option(
    '--kickstart',
    fc.oneof(
      kickstart.map((content): FileArg => ({ file: 'ks', content })),
      fc.constant('/etc'),
    ),
  ),
  fc.constantFrom<Token[]>(['--fips'], ['--local'], ['--detach'], ['--json'], ['--fips=yes']),
  // Options that belong to podman or a shell, not to us.
  fc.constantFrom<Token[]>(
    ['--privileged'],
    ['-v', '/:/host'],
    ['--entrypoint=sh'],
    ['--security-opt', 'label=disable'],
    ['--'],
    ['-'],
    ['positional'],
    ['--help'],
    ['-x'],
  ),
);

/** A command line every rule accepts. */
const goodArgv: fc.Arbitrary<Token[]> = fc
  .record({
    source: fc.oneof(option('--image', goodRef), option('--preset', fc.constantFrom(...PRESETS))),
    type: fc.constantFrom('iso', 'anaconda-iso', 'bootc-installer'),
    payload: goodRef,
    arch: fc.option(fc.constantFrom('x86_64', 'aarch64'), { nil: undefined }),
    rootfs: fc.option(fc.constantFrom('ext4', 'xfs', 'btrfs'), { nil: undefined }),
    custom: fc.constantFrom('user', 'kickstart', 'config', 'neither'),
    user: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/),
    kickstart: goodKickstart,
    volumeId: fc.option(goodVolumeId, { nil: undefined }),
  })
  .map((g) => {
    // The rhel10 preset's builder declares no features: no bootc-installer, no volume label there.
    const baseline = g.source[1] === 'rhel10';
    const type = baseline && g.type === 'bootc-installer' ? 'iso' : g.type;
    const argv: Token[] = [...g.source, '--type', type];
    if (type === 'bootc-installer') argv.push('--installer-payload', g.payload);
    if (g.arch) argv.push('--arch', g.arch);
    // The builder drops the root filesystem next to a kickstart.
    if (g.rootfs && g.custom !== 'kickstart') argv.push('--rootfs', g.rootfs);
    if (g.custom === 'user' && g.user !== 'root') argv.push('--user', g.user, '--groups', 'wheel');
    if (g.custom === 'kickstart') argv.push('--kickstart', { file: 'ks', content: g.kickstart });
    if (g.custom === 'config')
      argv.push('--config', { file: 'toml', content: '[customizations]\nfips = true\n' });
    if (g.volumeId && !baseline && type !== 'bootc-installer') argv.push('--volume-id', g.volumeId);
    return argv;
  });

/** Mostly good command lines with hostile options spliced in; sometimes nothing but hostile options. */
const argvArb: fc.Arbitrary<Token[]> = fc.oneof(
  {
    arbitrary: fc
      .tuple(goodArgv, fc.array(fc.tuple(anyOption, fc.nat()), { maxLength: 2 }))
      .map(([good, extras]) => {
        const out = [...good];
        for (const [tokens, at] of extras) out.splice(at % (out.length + 1), 0, ...tokens);
        return out;
      }),
    weight: 3,
  },
  { arbitrary: fc.array(anyOption, { maxLength: 8 }).map((groups) => groups.flat()), weight: 2 },
);

async function materialise(tokens: Token[]): Promise<string[]> {
  const out: string[] = [];
  for (const token of tokens) {
    if (typeof token === 'string') {
      out.push(token);
      continue;
    }
    files += 1;
    const path = join(dir, `case-${files}.${token.file}`);
    await writeFile(path, token.content);
    out.push(path);
  }
  return out;
}

describe('bootc-iso build arguments under generated command lines', () => {
  it('refuses each bad command line with a clear message, and every accepted one is safe all the way to BIB', async () => {
    expect(HOSTILE_SNIPPETS.length).toBeGreaterThan(20);
    await assertAsyncProperty(
      figures,
      fc.asyncProperty(argvArb, async (tokens) =>
        oneCaseAsync(figures, async () => {
          const argv = await materialise(tokens);
          const parsed = outcomeOf(() => parseBuildArgs(argv), { multiLine: true });
          if (parsed.kind === 'crash')
            return record(figures, 'crashes', `parseBuildArgs ${parsed.why}`, argv);
          if (parsed.kind === 'refused') {
            figures.refused += 1;
            return;
          }
          const input = await outcomeOfAsync(() => toBuildRequestInput(parsed.value, config));
          if (input.kind === 'crash')
            return record(figures, 'crashes', `toBuildRequestInput ${input.why}`, argv);
          if (input.kind === 'refused') {
            figures.refused += 1;
            return;
          }
          const request = outcomeOf(() => validateBuildRequest(input.value, policy), { requireField: true });
          if (request.kind === 'crash')
            return record(figures, 'crashes', `validateBuildRequest ${request.why}`, argv);
          if (request.kind === 'refused') {
            figures.refused += 1;
            return;
          }
          figures.accepted += 1;
          checkAcceptedRequest(figures, request.value, config, policy, argv);
        }),
      ),
    );
    expect(figures.examples).toEqual([]);
  });
});
