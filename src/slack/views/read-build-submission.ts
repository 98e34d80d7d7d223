import type { Config } from '../../config/load-config.ts';
import { ARCHES, type BuildRequestInput } from '../../domain/build-request.ts';
import { IMAGE_TYPE_NAMES, type ImageType } from '../../domain/image-types.ts';
import { applyPresetDefaults } from '../../domain/preset-defaults.ts';
import { quoteForMessage } from '../../domain/text-rules.ts';
import { collectBuildRequestErrors } from '../../domain/validate-build-request.ts';
import { BLOCKS, BOOT_TEST_OPTION, FIPS_OPTION, type ModalBlockId, REBUILD_OPTION } from '../action-ids.ts';
import { truncate } from '../escape.ts';
import { type PresetContainerfiles, presetRecipe } from '../preset-containerfiles.ts';
import { type ParsedUsers, parseUsersField, pointAtLine } from './users-field.ts';

/** The part of a view_submission payload the reader looks at. */
export interface SubmittedView {
  state: {
    values: Record<
      string,
      Record<
        string,
        {
          type?: string;
          value?: string | null;
          selected_option?: { value: string } | null;
          selected_options?: { value: string }[];
        }
      >
    >;
  };
  private_metadata?: string;
}

export interface ReadSubmissionContext {
  config: Pick<Config, 'presets' | 'builders' | 'defaultBuilder' | 'allowedRegistries'>;
  /** The presets' Containerfiles, read when the bot started. */
  presetContainerfiles?: PresetContainerfiles;
  userId: string;
  teamId?: string;
  now?: () => Date;
}

export type SubmissionResult =
  | { ok: true; input: BuildRequestInput; channelId: string }
  /** Ready for `ack({ response_action: 'errors', errors })`: keys are the modal's input block ids. */
  | { ok: false; errors: Record<string, string> };

/** Slack shows these under the field; long ones are cut. */
const MAX_ERROR = 300;

const OUT_OF_DATE = 'This form is out of date: close it and run /bootc-iso build again';

function element(view: SubmittedView, id: ModalBlockId) {
  const block = view.state.values[id];
  // action_id equals block_id; fall back to the block's only element in case a future view renames it.
  return block?.[id] ?? (block ? Object.values(block)[0] : undefined);
}

function text(view: SubmittedView, id: ModalBlockId): string | undefined {
  const value = element(view, id)?.value;
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function selected(view: SubmittedView, id: ModalBlockId): string | undefined {
  return element(view, id)?.selected_option?.value ?? undefined;
}

function oneOf<T extends string>(allowed: readonly T[], value: string | undefined): T | undefined {
  return allowed.find((a) => a === value);
}

/**
 * Reads private_metadata. Slack keeps the view server-side, so users cannot edit it; a bad value means a form from
 * an older version of the bot (or a bug), and the user is asked to reopen the form rather than shown an internal error.
 */
function readChannelId(metadata: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(metadata ?? '');
    if (typeof parsed !== 'object' || parsed === null || !('channelId' in parsed)) return undefined;
    const { channelId } = parsed;
    return typeof channelId === 'string' && channelId !== '' ? channelId : undefined;
  } catch {
    return undefined;
  }
}

/** The ticked image types, in the form's order (a form of the single-choice version sends one selected option). */
function readTypes(view: SubmittedView): ImageType[] {
  const el = element(view, BLOCKS.type);
  const picked = el?.selected_options?.map((o) => o.value) ?? [];
  if (picked.length === 0 && el?.selected_option) picked.push(el.selected_option.value);
  return IMAGE_TYPE_NAMES.filter((t) => picked.includes(t));
}

/** Which input block a validator field belongs to; fields with no block of their own go to the image block. */
function blockFor(field: string, presetUsed: boolean): ModalBlockId {
  if (field === 'source' || field === 'builder' || field.startsWith('builder.')) {
    // The source and builder came from the preset's config unless the user typed an image.
    return presetUsed ? BLOCKS.preset : BLOCKS.image;
  }
  if (field === 'preset') return BLOCKS.preset;
  if (field === 'type' || field.startsWith('types')) return BLOCKS.type;
  if (field === 'containerfile') return BLOCKS.containerfile;
  if (field === 'installerPayloadRef') return BLOCKS.payload;
  if (field === 'arch') return BLOCKS.arch;
  if (field.startsWith('customizations.users')) return BLOCKS.users;
  if (field === 'customizations.kickstart') return BLOCKS.kickstart;
  if (field === 'customizations.kernelAppend') return BLOCKS.kernelArgs;
  if (field.startsWith('customizations.iso')) return BLOCKS.volumeId;
  if (field === 'customizations.fips') return BLOCKS.fips;
  return BLOCKS.image;
}

// The validator speaks bootc-image-builder's config names for this rule; in the modal the fields have other names.
const KICKSTART_WITH_USERS = /^customizations\.installer\.kickstart\.contents cannot be used/;

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

class ErrorMap {
  readonly byBlock = new Map<ModalBlockId, string[]>();
  add(block: ModalBlockId, message: string): void {
    const list = this.byBlock.get(block) ?? [];
    if (!list.includes(message)) list.push(message);
    this.byBlock.set(block, list);
  }
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [block, messages] of this.byBlock) {
      out[block] = truncate(messages.map(capitalise).join(' · '), MAX_ERROR);
    }
    return out;
  }
}

type Source = Pick<BuildRequestInput, 'source' | 'builder' | 'preset'> & { presetUsed: boolean };

/** The source image and builder: a typed image overrides the preset's image; the preset (if any) picks the builder. */
function readSource(view: SubmittedView, config: ReadSubmissionContext['config'], errors: ErrorMap): Source {
  const presetName = selected(view, BLOCKS.preset);
  const preset =
    presetName !== undefined && Object.hasOwn(config.presets, presetName)
      ? config.presets[presetName]
      : undefined;
  if (presetName !== undefined && !preset) {
    // Quoted with control characters made visible: the value comes from the payload, not from our options.
    errors.add(BLOCKS.preset, `Preset ${quoteForMessage(presetName, 75)} no longer exists; pick another one`);
  }
  const image = text(view, BLOCKS.image)?.trim();
  if (image === undefined && presetName === undefined) {
    errors.add(BLOCKS.image, 'Pick a preset or enter an image reference');
  }
  const name = preset?.builder ?? config.defaultBuilder;
  const builderImage = Object.hasOwn(config.builders, name) ? config.builders[name]?.image : undefined;
  const out: Source = {
    source: image ?? preset?.image ?? '',
    builder: { name, image: builderImage ?? '' },
    presetUsed: image === undefined && preset !== undefined,
  };
  if (out.presetUsed && presetName !== undefined) out.preset = presetName;
  return out;
}

function readCustomizations(view: SubmittedView, users: ParsedUsers): BuildRequestInput['customizations'] {
  const kickstart = text(view, BLOCKS.kickstart);
  const kernelAppend = text(view, BLOCKS.kernelArgs)?.trim();
  const volumeId = text(view, BLOCKS.volumeId)?.trim();
  return {
    users: users.users,
    fips: element(view, BLOCKS.fips)?.selected_options?.some((o) => o.value === FIPS_OPTION) ?? false,
    ...(kickstart !== undefined ? { kickstart } : {}),
    ...(kernelAppend !== undefined ? { kernelAppend } : {}),
    ...(volumeId !== undefined ? { iso: { volumeId } } : {}),
  };
}

function addValidatorErrors(
  input: BuildRequestInput,
  src: Source,
  users: ParsedUsers,
  ctx: ReadSubmissionContext,
  errors: ErrorMap,
  ownContainerfile: string | undefined,
): void {
  const policy = { allowedRegistries: ctx.config.allowedRegistries, builders: ctx.config.builders };
  for (const { field, message } of collectBuildRequestErrors(input, policy)) {
    // Our own message about the missing source (or a vanished preset) says it better than the validator's.
    if (field === 'source' && input.source === '') continue;
    if (field === 'customizations.kickstart' && KICKSTART_WITH_USERS.test(message)) {
      errors.add(
        BLOCKS.kickstart,
        'A kickstart cannot be combined with Users: put the users in the kickstart (`user` and `sshkey` lines), or clear one of the two fields',
      );
      errors.add(BLOCKS.users, 'Users cannot be combined with a kickstart: clear one of the two fields');
      continue;
    }
    // A preset's derived image is the operator's: its problems belong next to the preset, not the empty field.
    const fromPreset = field === 'containerfile' && ownContainerfile === undefined;
    const block = fromPreset ? BLOCKS.preset : blockFor(field, src.presetUsed);
    errors.add(block, block === BLOCKS.users ? pointAtLine(message, users.lineOf) : message);
  }
}

/**
 * Turns a build-modal submission into a build request, or into per-field errors for `response_action: 'errors'`.
 * A typed image overrides the preset's image; the builder is the selected preset's, else the default builder.
 * The returned input is not yet normalised: pass it to validateBuildRequest (the producer does) before enqueuing.
 */
export function readBuildSubmission(view: SubmittedView, ctx: ReadSubmissionContext): SubmissionResult {
  const channelId = readChannelId(view.private_metadata);
  if (channelId === undefined) return { ok: false, errors: { [BLOCKS.image]: OUT_OF_DATE } };
  const errors = new ErrorMap();
  const src = readSource(view, ctx.config, errors);
  const types = readTypes(view);
  const arch = oneOf(ARCHES, selected(view, BLOCKS.arch));
  if (!arch) errors.add(BLOCKS.arch, 'Choose an architecture');
  const users = parseUsersField(text(view, BLOCKS.users) ?? '');
  for (const problem of users.problems) errors.add(BLOCKS.users, problem);

  // The preset fills in what the person left empty, as on the CLI: only when it gives the source (its derived
  // image is built on its own image).
  const { recipe, problem } = src.presetUsed
    ? presetRecipe(ctx.config.presets, src.preset, ctx.presetContainerfiles)
    : {};
  const typed = text(view, BLOCKS.containerfile);
  const own = typed !== undefined && typed.trim() !== '' ? typed : undefined;
  if (problem && own === undefined)
    errors.add(
      BLOCKS.preset,
      `This preset's Containerfile could not be read on the bot's host (${problem}); ask an operator, or paste a Containerfile`,
    );
  const fields = applyPresetDefaults({ types, containerfile: own }, recipe);

  const input: BuildRequestInput = {
    source: src.source,
    builder: src.builder,
    ...(src.preset !== undefined ? { preset: src.preset } : {}),
    ...fields,
    arch: arch ?? 'x86_64',
    requester: {
      kind: 'slack',
      userId: ctx.userId,
      channelId,
      ...(ctx.teamId ? { teamId: ctx.teamId } : {}),
    },
    requestedAt: (ctx.now ?? (() => new Date()))().toISOString(),
    customizations: readCustomizations(view, users),
  };
  const payload = text(view, BLOCKS.payload)?.trim();
  if (payload !== undefined) input.installerPayloadRef = payload;
  if (element(view, BLOCKS.rebuild)?.selected_options?.some((o) => o.value === REBUILD_OPTION))
    input.rebuild = true;
  if (element(view, BLOCKS.bootTest)?.selected_options?.some((o) => o.value === BOOT_TEST_OPTION))
    input.bootTest = true;
  addValidatorErrors(input, src, users, ctx, errors, own);
  if (errors.byBlock.size > 0) return { ok: false, errors: errors.toRecord() };
  return { ok: true, input, channelId };
}
