import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { validateBuildRequest } from '../../src/domain/validate-build-request.ts';
import {
  BLOCKS,
  BOOT_TEST_OPTION,
  FIPS_OPTION,
  type ModalBlock,
  REBUILD_OPTION,
} from '../../src/slack/action-ids.ts';
import { readBuildSubmission, type SubmittedView } from '../../src/slack/views/read-build-submission.ts';
import { checkAcceptedRequest } from './support/accepted.ts';
import {
  anyText,
  arch,
  goodKernelArgs,
  goodKickstart,
  goodRef,
  goodUsersField,
  goodVolumeId,
  hostileSnippet,
  imageRef,
  isoType,
  kernelArgs,
  kickstart,
  usersField,
  volumeId,
} from './support/arbitraries.ts';
import { PRESETS, policyOf, propertyConfig } from './support/config.ts';
import {
  assertProperty,
  createFigures,
  oneCase,
  outcomeOf,
  printFigures,
  record,
  unclearMessage,
} from './support/figures.ts';

const config = propertyConfig();
const policy = policyOf(config);
const figures = createFigures('build modal (readBuildSubmission, every field)');
const ctx = { config, userId: 'U024BE7LH', teamId: 'T024BE7LD', now: () => new Date('2026-01-31T12:00:00Z') };
const BLOCK_IDS = new Set<string>(Object.values(BLOCKS));
/** What Slack shows under a field: readBuildSubmission cuts messages to this. */
const MAX_FIELD_ERROR = 300;

afterAll(() => printFigures(figures));

type ElementState = SubmittedView['state']['values'][string][string];

/** A field value as Slack sends it: mostly set, sometimes null (left empty). */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 4, nil: null });

const presetName = fc.oneof(
  { arbitrary: fc.constantFrom(...PRESETS), weight: 6 },
  { arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'deleted-preset'), weight: 1 },
  { arbitrary: hostileSnippet, weight: 1 },
);

const hostileFields = fc.record({
  preset: maybe(presetName),
  image: fc.option(imageRef, { freq: 2, nil: null }),
  type: maybe(isoType),
  payload: fc.option(imageRef, { freq: 3, nil: null }),
  arch: maybe(arch),
  users: maybe(usersField),
  kickstart: fc.option(kickstart, { freq: 2, nil: null }),
  kernelArgs: maybe(kernelArgs),
  volumeId: maybe(volumeId),
  fips: fc.constantFrom<{ value: string }[]>([], [{ value: FIPS_OPTION }], [{ value: 'other' }]),
  rebuild: fc.constantFrom<{ value: string }[]>([], [{ value: REBUILD_OPTION }], [{ value: 'other' }]),
  bootTest: fc.constantFrom<{ value: string }[]>([], [{ value: BOOT_TEST_OPTION }], [{ value: 'other' }]),
});
type Fields = typeof hostileFields extends fc.Arbitrary<infer T> ? T : never;
const FIELD_NAMES: (keyof Fields)[] = [
  'preset',
  'image',
  'type',
  'payload',
  'arch',
  'users',
  'kickstart',
  'kernelArgs',
  'volumeId',
  'fips',
  'rebuild',
  'bootTest',
];

/** A form every rule accepts: a preset or an image, users or a kickstart (not both), a payload for bootc-installer. */
const goodFields = fc
  .record({
    preset: fc.option(fc.constantFrom(...PRESETS), { freq: 4, nil: null }),
    image: fc.option(goodRef, { freq: 2, nil: null }),
    type: fc.constantFrom('iso', 'anaconda-iso', 'bootc-installer'),
    payload: goodRef,
    arch: fc.constantFrom('x86_64', 'aarch64'),
    custom: fc.constantFrom('users', 'kickstart', 'neither'),
    users: goodUsersField,
    kickstart: goodKickstart,
    kernelArgs: fc.option(goodKernelArgs, { nil: null }),
    volumeId: fc.option(goodVolumeId, { nil: null }),
    fips: fc.constantFrom<{ value: string }[]>([], [{ value: FIPS_OPTION }]),
    rebuild: fc.constantFrom<{ value: string }[]>([], [{ value: REBUILD_OPTION }]),
    bootTest: fc.constantFrom<{ value: string }[]>([], [{ value: BOOT_TEST_OPTION }]),
  })
  .map((f): Fields => {
    // The rhel10 preset's builder declares no features: no bootc-installer, no volume label there.
    const baseline = f.preset === 'rhel10' && f.image === null;
    const type = baseline && f.type === 'bootc-installer' ? 'iso' : f.type;
    return {
      preset: f.preset,
      image: f.preset === null && f.image === null ? f.payload : f.image,
      type,
      payload: type === 'bootc-installer' ? f.payload : null,
      arch: f.arch,
      users: f.custom === 'users' ? f.users : null,
      kickstart: f.custom === 'kickstart' ? f.kickstart : null,
      // The builder drops kernel arguments next to a kickstart, and bootc-installer ignores the label.
      kernelArgs: f.custom === 'kickstart' ? null : f.kernelArgs,
      volumeId: baseline || type === 'bootc-installer' ? null : f.volumeId,
      fips: f.fips,
      rebuild: f.rebuild,
      bootTest: f.bootTest,
    };
  });

/** Mostly a good form with one or two hostile fields, sometimes hostile throughout. */
const fields = fc.oneof(
  {
    arbitrary: fc
      .tuple(goodFields, hostileFields, fc.subarray(FIELD_NAMES, { maxLength: 2 }))
      .map(([good, bad, pick]) => {
        const out: Fields = { ...good };
        for (const name of pick) Object.assign(out, { [name]: bad[name] });
        return out;
      }),
    weight: 4,
  },
  { arbitrary: hostileFields, weight: 1 },
);

const metadata = fc.oneof(
  { arbitrary: fc.constant(JSON.stringify({ channelId: 'C024BE91L' })), weight: 12 },
  {
    arbitrary: fc.oneof(
      fc.constant(undefined),
      fc.constant(''),
      fc.constant('{"channelId":""}'),
      fc.constant('{"channelId":42}'),
      fc.constant('null'),
      anyText,
    ),
    weight: 1,
  },
);

const submittedView = fc
  .record({
    fields,
    /** Blocks left out of state.values entirely (a form from another version of the bot). */
    missing: fc.subarray(Object.keys(BLOCKS) as ModalBlock[], { maxLength: 2 }),
    /** The element under another action id than its block's (the fallback path). */
    renamed: fc.boolean(),
    metadata,
  })
  .map(({ fields: f, missing, renamed, metadata: meta }): SubmittedView => {
    const states: Record<ModalBlock, ElementState> = {
      preset: { type: 'static_select', selected_option: f.preset === null ? null : { value: f.preset } },
      image: { type: 'plain_text_input', value: f.image },
      type: { type: 'checkboxes', selected_options: f.type === null ? [] : [{ value: f.type }] },
      payload: { type: 'plain_text_input', value: f.payload },
      arch: { type: 'static_select', selected_option: f.arch === null ? null : { value: f.arch } },
      users: { type: 'plain_text_input', value: f.users },
      kickstart: { type: 'plain_text_input', value: f.kickstart },
      kernelArgs: { type: 'plain_text_input', value: f.kernelArgs },
      volumeId: { type: 'plain_text_input', value: f.volumeId },
      fips: { type: 'checkboxes', selected_options: f.fips },
      rebuild: { type: 'checkboxes', selected_options: f.rebuild },
      bootTest: { type: 'checkboxes', selected_options: f.bootTest },
      containerfile: { type: 'plain_text_input', value: null },
    };
    const values: SubmittedView['state']['values'] = {};
    for (const [name, state] of Object.entries(states) as [ModalBlock, ElementState][]) {
      if (missing.includes(name)) continue;
      const id = BLOCKS[name];
      values[id] = { [renamed ? `${id}_v2` : id]: state };
    }
    return { state: { values }, ...(meta === undefined ? {} : { private_metadata: meta }) };
  });

describe('the build modal under generated submissions', () => {
  it('answers every submission with errors under the right fields, or a request that is safe all the way to BIB', () => {
    assertProperty(
      figures,
      fc.property(submittedView, (view) =>
        oneCase(figures, () => {
          const out = outcomeOf(() => readBuildSubmission(view, ctx));
          if (out.kind !== 'accepted') {
            // readBuildSubmission never throws, not even an AppError: the modal must always get an answer.
            record(figures, 'crashes', out.kind === 'crash' ? out.why : out.error.message, view);
            return;
          }
          const answer = out.value;
          if (!answer.ok) {
            figures.refused += 1;
            const entries = Object.entries(answer.errors);
            if (entries.length === 0) record(figures, 'crashes', 'refused with no error', view);
            for (const [block, message] of entries) {
              const unclear = unclearMessage(message);
              if (!BLOCK_IDS.has(block))
                record(figures, 'crashes', `error under unknown block ${block}`, view);
              if (unclear || message.length > MAX_FIELD_ERROR)
                record(figures, 'crashes', `${block}: ${unclear ?? 'too long'}: ${message}`, view);
            }
            return;
          }
          const validated = outcomeOf(() => validateBuildRequest(answer.input, policy));
          if (validated.kind !== 'accepted') {
            record(
              figures,
              'crashes',
              `accepted by the modal, refused on submit: ${JSON.stringify(validated)}`,
              view,
            );
            return;
          }
          figures.accepted += 1;
          checkAcceptedRequest(figures, validated.value, config, policy, view);
        }),
      ),
    );
    expect(figures.examples).toEqual([]);
  });
});
