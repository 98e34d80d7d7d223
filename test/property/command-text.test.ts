import type { types } from '@slack/bolt';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isBuildId } from '../../src/domain/build-id.ts';
import { findUnsafeChar } from '../../src/domain/text-rules.ts';
import { COMMAND_NAMES, LIST_SCOPES } from '../../src/slack/messages/command-table.ts';
import { parseCommandText } from '../../src/slack/messages/parse-command-text.ts';
import { buildModalView } from '../../src/slack/views/build-modal.ts';
import { readBuildSubmission, type SubmittedView } from '../../src/slack/views/read-build-submission.ts';
import { blockKitProblems } from '../fakes/block-kit-limits.ts';
import { anyText, HUGE, hostileSnippet, imageRef } from './support/arbitraries.ts';
import { PRESETS, propertyConfig } from './support/config.ts';
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
const figures = createFigures('slash-command text (parseCommandText, and the modal a build argument opens)');
const ctx = { config, userId: 'U024BE7LH', now: () => new Date('2026-01-31T12:00:00Z') };
const BUILD_ID_TAKERS = new Set(['status', 'cancel', 'retry']);

afterAll(() => printFigures(figures));

/** Build ids as people type them: exact, upper case, with the confusable letters, or broken. */
const buildId = fc.oneof(
  fc.stringMatching(/^b[0-9a-hjkmnp-tv-z]{8}$/),
  fc.stringMatching(/^B[0-9A-HJKMNP-TV-Z]{8}$/),
  fc.stringMatching(/^b[0-9a-zIlLoO]{8}$/),
  fc.stringMatching(/^b[0-9a-z]{0,12}$/),
);

const word = fc.oneof(
  { arbitrary: fc.constantFrom(...COMMAND_NAMES, 'BUILD', 'Status', 'frobnicate', 'buil'), weight: 4 },
  { arbitrary: buildId, weight: 3 },
  { arbitrary: fc.constantFrom(...LIST_SCOPES, 'ALL', 'everyone'), weight: 1 },
  { arbitrary: fc.constantFrom(...PRESETS, '__proto__', 'constructor'), weight: 1 },
  { arbitrary: imageRef, weight: 2 },
  { arbitrary: hostileSnippet, weight: 2 },
  { arbitrary: anyText, weight: 1 },
);

const separator = fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2028', ' \u0000 ');

const commandText = fc.oneof(
  {
    arbitrary: fc
      .tuple(fc.array(word, { minLength: 0, maxLength: 4 }), separator, fc.constantFrom('', ' ', '\n'))
      .map(([words, sep, around]) => `${around}${words.join(sep)}${around}`),
    weight: 10,
  },
  { arbitrary: fc.constantFrom(`build ${HUGE}`, `status ${'b'.repeat(2001)}`, ''), weight: 1 },
);

/** The state.values Slack sends when the form is submitted unchanged: each input's initial value. */
function initialState(view: types.ModalView): SubmittedView['state']['values'] {
  const values: SubmittedView['state']['values'] = {};
  const inputs = view.blocks.filter((b): b is types.InputBlock => b.type === 'input' && 'element' in b);
  const chosen = (o: types.Option | undefined) => (o?.value === undefined ? null : { value: o.value });
  for (const block of inputs) {
    if (!block.block_id) continue;
    const el = block.element;
    const state =
      el.type === 'plain_text_input'
        ? { type: el.type, value: el.initial_value ?? null }
        : el.type === 'static_select' || el.type === 'radio_buttons'
          ? { type: el.type, selected_option: chosen(el.initial_option) }
          : el.type === 'checkboxes'
            ? { type: el.type, selected_options: (el.initial_options ?? []).flatMap((o) => chosen(o) ?? []) }
            : { type: el.type };
    values[block.block_id] = { [el.action_id ?? block.block_id]: state };
  }
  return values;
}

/** The build modal a `build <arg>` opens (as the command handler builds it), then submitted unchanged. */
function checkBuildModal(arg: string | undefined, text: string): void {
  const prefill =
    arg === undefined ? {} : Object.hasOwn(config.presets, arg) ? { preset: arg } : { image: arg };
  const view = outcomeOf(() =>
    buildModalView({
      presets: config.presets,
      defaultBuilder: config.defaultBuilder,
      arches: ['x86_64', 'aarch64'],
      channelId: 'C024BE91L',
      prefill,
    }),
  );
  if (view.kind !== 'accepted') {
    record(figures, 'crashes', `buildModalView: ${JSON.stringify(view)}`, text);
    return;
  }
  const problems = blockKitProblems('modal', { view: view.value });
  if (problems.length > 0)
    record(figures, 'crashes', `Slack would refuse the modal: ${problems.join('; ')}`, text);
  const submitted = outcomeOf(() =>
    readBuildSubmission(
      { state: { values: initialState(view.value) }, private_metadata: view.value.private_metadata ?? '' },
      ctx,
    ),
  );
  if (submitted.kind !== 'accepted')
    record(figures, 'crashes', `submitting the prefilled modal: ${JSON.stringify(submitted)}`, text);
}

describe('slash-command text under generated input', () => {
  it('parses every text into a command with checked arguments, or a clear error, and never throws', () => {
    assertProperty(
      figures,
      fc.property(commandText, (text) =>
        oneCase(figures, () => {
          const out = outcomeOf(() => parseCommandText(text));
          if (out.kind !== 'accepted') {
            record(figures, 'crashes', out.kind === 'crash' ? out.why : out.error.message, text);
            return;
          }
          const parsed = out.value;
          if ('error' in parsed) {
            figures.refused += 1;
            const unclear = unclearMessage(parsed.error);
            if (unclear || parsed.error.length > 500)
              record(figures, 'crashes', `${unclear}: ${parsed.error}`, text);
            return;
          }
          figures.accepted += 1;
          const { command, args } = parsed;
          if (!(COMMAND_NAMES as readonly string[]).includes(command))
            record(figures, 'crashes', `unknown command ${command}`, text);
          for (const arg of args) {
            if (arg === '' || findUnsafeChar(arg) || /\s/.test(arg))
              record(figures, 'crashes', `argument ${JSON.stringify(arg)} is not one clean word`, text);
          }
          if (BUILD_ID_TAKERS.has(command) && !(args.length === 1 && isBuildId(args[0] ?? '')))
            record(figures, 'crashes', `${command} with ${JSON.stringify(args)}`, text);
          if (
            command === 'list' &&
            !(args.length === 1 && (LIST_SCOPES as readonly string[]).includes(args[0] ?? ''))
          )
            record(figures, 'crashes', `list with ${JSON.stringify(args)}`, text);
          if (command === 'build') {
            if (args.length > 1) record(figures, 'crashes', `build with ${args.length} arguments`, text);
            else checkBuildModal(args[0], text);
          }
        }),
      ),
    );
    expect(figures.examples).toEqual([]);
  });
});
