import type { types } from '@slack/bolt';
import { type Arch, LIMITS } from '../../domain/build-request.ts';
import { type Capability, presetNeedsEntitlement } from '../../domain/capabilities.ts';
import type { ImageType } from '../../domain/image-types.ts';
import {
  BLOCKS,
  BOOT_TEST_OPTION,
  BUILD_MODAL_CALLBACK,
  FIPS_OPTION,
  type ModalBlockId,
  REBUILD_OPTION,
} from '../action-ids.ts';
import { truncate } from '../escape.ts';
import { ISO_TYPE_HINT, TYPE_OPTIONS, TYPES_DEFAULT_HINT } from './type-choices.ts';
import { USERS_FORMAT_HINT, USERS_PLACEHOLDER } from './users-field.ts';

/** Slack's Block Kit limits the modal depends on (the fake Slack in test/fakes enforces the same). */
const MAX_SELECT_OPTIONS = 100;
const MAX_OPTION_TEXT = 75;
const MAX_INPUT_LENGTH = 3000;
const MAX_PLACEHOLDER = 150;
const MAX_HINT = 2000;

export interface BuildModalContext {
  presets: Record<
    string,
    {
      image: string;
      builder: string;
      description: string;
      requires?: readonly Capability[] | undefined;
      types?: readonly ImageType[] | undefined;
      packages?: readonly string[] | undefined;
      containerfile?: string | undefined;
    }
  >;
  defaultBuilder: string;
  /** Architectures offered; the first is the default. */
  arches: readonly Arch[];
  /** Offered arches with no live build host: labelled so, since their builds wait (views/arch-choices.ts). */
  offlineArches?: readonly Arch[];
  /** Arches with a live host that may build RHEL ISOs (rhel-entitlement); undefined when not known. */
  entitledArches?: readonly Arch[];
  /** The channel the command came from; carried in private_metadata. */
  channelId: string;
  prefill?: { image?: string; preset?: string };
}

/** What the modal keeps in private_metadata. */
export interface BuildModalMetadata {
  channelId: string;
}

const plain = (text: string, max: number): types.PlainTextElement => ({
  type: 'plain_text',
  text: truncate(text, max),
});

function option(text: string, value: string, description?: string): types.PlainTextOption {
  const out: types.PlainTextOption = { text: plain(text, MAX_OPTION_TEXT), value };
  if (description) out.description = plain(description, MAX_OPTION_TEXT);
  return out;
}

function input(
  id: ModalBlockId,
  label: string,
  element: types.InputBlockElement,
  hint?: string,
): types.InputBlock {
  const block: types.InputBlock = {
    type: 'input',
    block_id: id,
    optional: true,
    label: plain(label, 2000),
    element,
  };
  if (hint) block.hint = plain(hint, MAX_HINT);
  return block;
}

function textInput(
  id: ModalBlockId,
  maxLength: number,
  opts: { multiline?: boolean; placeholder?: string; initial?: string } = {},
): types.PlainTextInput {
  const max = Math.min(maxLength, MAX_INPUT_LENGTH);
  const el: types.PlainTextInput = { type: 'plain_text_input', action_id: id, max_length: max };
  if (opts.multiline) el.multiline = true;
  if (opts.placeholder) el.placeholder = plain(opts.placeholder, MAX_PLACEHOLDER);
  // Slack refuses an initial value longer than max_length; a cut reference is then reported by the validator.
  if (opts.initial) el.initial_value = opts.initial.slice(0, max);
  return el;
}

function presetBlock(ctx: BuildModalContext): types.InputBlock | undefined {
  // Option values are capped at 75 characters; config names are at most 63, so nothing is skipped in practice.
  const options = Object.entries(ctx.presets)
    .filter(([name]) => name.length > 0 && name.length <= MAX_OPTION_TEXT)
    .slice(0, MAX_SELECT_OPTIONS)
    .map(([name, preset]) =>
      option(
        name,
        name,
        [
          preset.description.trim(),
          preset.types?.length ? preset.types.join(', ') : '',
          preset.packages?.length || preset.containerfile ? 'derived image' : '',
          presetNeedsEntitlement(preset) ? 'ISOs: RHEL hosts only' : '',
        ]
          .filter(Boolean)
          .join(' · '),
      ),
    );
  if (options.length === 0) return undefined;
  const select: types.StaticSelect = {
    type: 'static_select',
    action_id: BLOCKS.preset,
    placeholder: plain('Choose a preset', MAX_PLACEHOLDER),
    options,
  };
  // A typed image without a preset keeps the preset empty, so the default builder applies.
  const wanted = ctx.prefill?.preset;
  const initial = wanted !== undefined ? options.find((o) => o.value === wanted) : undefined;
  if (initial) select.initial_option = initial;
  else if (ctx.prefill?.image === undefined) select.initial_option = options[0];
  return input(
    BLOCKS.preset,
    'Preset',
    select,
    `A ready-made source image. The preset also picks the builder; without one, "${truncate(ctx.defaultBuilder, 64)}" is used.${entitledHint(ctx)}`,
  );
}

/** RHEL installer ISOs are built only on registered RHEL hosts: say where they can run now, or that they wait. */
function entitledHint(ctx: BuildModalContext): string {
  if (ctx.entitledArches === undefined) return '';
  if (!Object.values(ctx.presets).some(presetNeedsEntitlement)) return '';
  const where = ctx.entitledArches.length
    ? `online now for ${ctx.entitledArches.join(', ')}`
    : 'none is online now, so those builds wait for one';
  return ` RHEL ISOs (iso, anaconda-iso) are built only on registered RHEL hosts: ${where}.`;
}

function archBlock(ctx: BuildModalContext): types.InputBlock {
  const arches = [...new Set(ctx.arches)].slice(0, MAX_SELECT_OPTIONS);
  const offline = new Set(ctx.offlineArches ?? []);
  const options = (arches.length > 0 ? arches : (['x86_64'] as const)).map((a) =>
    option(offline.has(a) ? `${a} (no build host online)` : a, a),
  );
  const select: types.StaticSelect = { type: 'static_select', action_id: BLOCKS.arch, options };
  if (options[0]) select.initial_option = options[0];
  return input(BLOCKS.arch, 'Architecture', select, 'ISOs are built on a host of this architecture.');
}

/**
 * Nothing is ticked at first: the preset can change after the form opens (without a round trip to the bot), so
 * ticked boxes would read as the person's choice and hide the preset's types. None ticked means the preset's types,
 * else an installer ISO, as on the CLI.
 */
function typeBlock(): types.InputBlock {
  // Checkboxes take at most 10 options: every type fits, with its description.
  const options = TYPE_OPTIONS.map((o) => option(o.text, o.value, o.description));
  const boxes: types.Checkboxes = { type: 'checkboxes', action_id: BLOCKS.type, options };
  return input(BLOCKS.type, 'Image types', boxes, `${TYPES_DEFAULT_HINT} ${ISO_TYPE_HINT}`);
}

/** The `/bootc-iso build` modal. Every text is cut to Slack's limits whatever the config holds. */
export function buildModalView(ctx: BuildModalContext): types.ModalView {
  const metadata: BuildModalMetadata = { channelId: ctx.channelId.slice(0, LIMITS.requesterField) };
  const preset = presetBlock(ctx);
  const fips: types.Checkboxes = {
    type: 'checkboxes',
    action_id: BLOCKS.fips,
    options: [option('Enable FIPS mode', FIPS_OPTION, 'FIPS 140 crypto policy on the installed system')],
  };
  const blocks: types.KnownBlock[] = [
    ...(preset ? [preset] : []),
    input(
      BLOCKS.image,
      'Custom image',
      textInput(BLOCKS.image, LIMITS.imageRef, {
        placeholder: 'registry.example.com/org/image:tag',
        ...(ctx.prefill?.image !== undefined ? { initial: ctx.prefill.image } : {}),
      }),
      'Overrides the preset. Must be tagged and on an allowed registry.',
    ),
    typeBlock(),
    input(
      BLOCKS.payload,
      'Installer payload image',
      textInput(BLOCKS.payload, LIMITS.imageRef, { placeholder: 'registry.example.com/org/image:tag' }),
      'Only for bootc-installer: the bootc image the installer puts on disk.',
    ),
    archBlock(ctx),
    input(
      BLOCKS.containerfile,
      'Containerfile',
      textInput(BLOCKS.containerfile, MAX_INPUT_LENGTH, {
        multiline: true,
        placeholder: 'FROM <the source image>\nRUN dnf install -y tmux',
      }),
      'Optional: builds a derived image first. One FROM (the source image), no RUN --mount, no COPY --from or URLs. Only for people the access rules allow.',
    ),
    { type: 'divider' },
    input(
      BLOCKS.users,
      'Users',
      textInput(BLOCKS.users, MAX_INPUT_LENGTH, { multiline: true, placeholder: USERS_PLACEHOLDER }),
      USERS_FORMAT_HINT,
    ),
    input(
      BLOCKS.kickstart,
      'Kickstart',
      textInput(BLOCKS.kickstart, MAX_INPUT_LENGTH, { multiline: true, placeholder: 'text\nreboot' }),
      'Replaces the generated kickstart; leave out ostreecontainer. Slack allows 3000 characters: use the CLI (bootc-iso build --kickstart FILE) for longer ones.',
    ),
    input(
      BLOCKS.kernelArgs,
      'Kernel arguments',
      textInput(BLOCKS.kernelArgs, LIMITS.kernelAppend, { placeholder: 'console=ttyS0,115200n8' }),
      'Appended to the installed system’s kernel command line, separated by spaces.',
    ),
    input(
      BLOCKS.volumeId,
      'ISO volume label',
      textInput(BLOCKS.volumeId, LIMITS.volumeId, { placeholder: 'MY-INSTALLER' }),
      'Up to 32 characters: letters, digits, "_" and "-". Only for builders with the iso-customizations feature, not for bootc-installer.',
    ),
    input(BLOCKS.fips, 'FIPS', fips),
    input(BLOCKS.rebuild, 'Identical builds', {
      type: 'checkboxes',
      action_id: BLOCKS.rebuild,
      options: [
        option('Rebuild anyway', REBUILD_OPTION, 'Otherwise the ISO of an identical earlier build is reused'),
      ],
    }),
    input(BLOCKS.bootTest, 'Boot test', {
      type: 'checkboxes',
      action_id: BLOCKS.bootTest,
      options: [
        option(
          'Boot it before publishing',
          BOOT_TEST_OPTION,
          'The ISO is booted in QEMU; the build fails if it does not boot',
        ),
      ],
    }),
  ];
  return {
    type: 'modal',
    callback_id: BUILD_MODAL_CALLBACK,
    title: plain('Build installer ISO', 24),
    submit: plain('Build', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}
