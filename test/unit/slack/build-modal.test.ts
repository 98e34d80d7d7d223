import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { BLOCKS, BUILD_MODAL_CALLBACK } from '../../../src/slack/action-ids.ts';
import { buildModalView } from '../../../src/slack/views/build-modal.ts';
import { createModalViewCache } from '../../../src/slack/views/modal-view-cache.ts';
import { blockKitProblems } from '../../fakes/block-kit-limits.ts';
import { CHANNEL_ID, config, HOSTILE } from './slack-fixtures.ts';

const base = {
  presets: config.presets,
  defaultBuilder: 'centos',
  arches: ['x86_64', 'aarch64'] as const,
  channelId: CHANNEL_ID,
};

function inputBlock(view: types.ModalView, id: string): types.InputBlock {
  const block = view.blocks.find((b): b is types.InputBlock => b.type === 'input' && b.block_id === id);
  if (!block) throw new Error(`no input block ${id}`);
  return block;
}

function presetSelect(view: types.ModalView): types.StaticSelect {
  return inputBlock(view, BLOCKS.preset).element as types.StaticSelect;
}

describe('buildModalView', () => {
  it('builds a valid modal with the callback id, title, buttons and the channel in private_metadata', () => {
    const view = buildModalView(base);
    expect(blockKitProblems('modal', { view })).toEqual([]);
    expect(view.callback_id).toBe(BUILD_MODAL_CALLBACK);
    expect(view.title.text).toBe('Build installer ISO');
    expect(view.submit?.text).toBe('Build');
    expect(view.close?.text).toBe('Cancel');
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ channelId: CHANNEL_ID });
  });

  it('has every input block the submission reader looks for, each optional', () => {
    const view = buildModalView(base);
    for (const id of Object.values(BLOCKS)) {
      const block = inputBlock(view, id);
      expect(block.optional).toBe(true);
      expect((block.element as { action_id?: string }).action_id).toBe(id);
    }
  });

  it('selects the first preset so that picking nothing and pressing Build works', () => {
    expect(presetSelect(buildModalView(base)).initial_option?.value).toBe('centos-stream9');
  });

  it('selects the prefilled preset, and no preset when only an image is prefilled', () => {
    expect(
      presetSelect(buildModalView({ ...base, prefill: { preset: 'rhel10' } })).initial_option?.value,
    ).toBe('rhel10');
    const withImage = buildModalView({ ...base, prefill: { image: 'quay.io/org/app:1' } });
    expect(presetSelect(withImage).initial_option).toBeUndefined();
    expect((inputBlock(withImage, BLOCKS.image).element as types.PlainTextInput).initial_value).toBe(
      'quay.io/org/app:1',
    );
  });

  it("ticks no image type (the preset's or iso then apply), offers every type, and the architecture to the first one offered", () => {
    const view = buildModalView(base);
    const block = inputBlock(view, BLOCKS.type);
    const boxes = block.element as types.Checkboxes;
    expect(boxes.initial_options).toBeUndefined();
    expect(block.hint?.text).toContain("None ticked: the preset's types");
    expect(boxes.options.map((o) => o.value)).toEqual([
      'iso',
      'anaconda-iso',
      'bootc-installer',
      'qcow2',
      'raw',
      'ami',
      'vmdk',
      'vhd',
      'gce',
    ]);
    const arch = inputBlock(view, BLOCKS.arch).element as types.StaticSelect;
    expect(arch.initial_option?.value).toBe('x86_64');
    expect(arch.options?.map((o) => o.value)).toEqual(['x86_64', 'aarch64']);
  });

  it('tells people picking an ISO type that a default ISO installs unattended and wipes the first disk', () => {
    const block = inputBlock(buildModalView(base), BLOCKS.type);
    expect(block.hint?.text).toContain('installs unattended');
    expect(block.hint?.text).toContain('erases the first disk');
    const options = (block.element as types.RadioButtons).options ?? [];
    expect(options.find((o) => o.value === 'iso')?.description?.text).toContain('wipes it');
  });

  it('offers only the volume label for the ISO section, with the builder rule in its hint', () => {
    const view = buildModalView(base);
    const ids = view.blocks.map((b) => b.block_id);
    expect(ids.some((id) => /publisher|application/i.test(id ?? ''))).toBe(false);
    expect(inputBlock(view, BLOCKS.volumeId).hint?.text).toContain('letters, digits, "_" and "-"');
  });

  it('stays within Block Kit limits with 1000 presets with long names and descriptions', () => {
    const presets: Record<string, { image: string; builder: string; description: string }> = {};
    for (let i = 0; i < 1000; i++) {
      presets[`preset-${i}-${'n'.repeat(i % 3 === 0 ? 200 : 40)}`] = {
        image: `quay.io/org/image-${i}:latest`,
        builder: 'centos',
        description: `${HOSTILE} ${'d'.repeat(200)}`,
      };
    }
    const view = buildModalView({
      ...base,
      presets,
      defaultBuilder: 'b'.repeat(300),
      channelId: 'C'.repeat(5000),
      prefill: { image: 'x'.repeat(5000), preset: 'nope' },
    });
    expect(blockKitProblems('modal', { view })).toEqual([]);
    const options = presetSelect(view).options ?? [];
    expect(options).toHaveLength(100);
    expect(options.every((o) => (o.value ?? '').length <= 75)).toBe(true);
  });

  it('leaves out the preset field when no presets are configured', () => {
    const view = buildModalView({ ...base, presets: {} });
    expect(blockKitProblems('modal', { view })).toEqual([]);
    expect(view.blocks.some((b) => b.block_id === BLOCKS.preset)).toBe(false);
  });

  it('offers x86_64 when no architecture is given', () => {
    const view = buildModalView({ ...base, arches: [] });
    expect(blockKitProblems('modal', { view })).toEqual([]);
    expect(
      (inputBlock(view, BLOCKS.arch).element as types.StaticSelect).options?.map((o) => o.value),
    ).toEqual(['x86_64']);
  });
});

describe('the modal view cache', () => {
  it('renders exactly buildModalView, once per arches, channel and prefill, and stays bounded', () => {
    let renders = 0;
    const counted = (ctx: Parameters<typeof buildModalView>[0]) => {
      renders += 1;
      return buildModalView(ctx);
    };
    const view = createModalViewCache(
      { presets: base.presets, defaultBuilder: base.defaultBuilder },
      2,
      counted,
    );
    const ctx = { arches: base.arches, channelId: CHANNEL_ID };
    const first = view(ctx);
    expect(first).toBe(JSON.stringify(buildModalView(base)));
    expect(view({ ...ctx })).toBe(first);
    expect(renders).toBe(1);
    const other = view({ ...ctx, channelId: 'C0OTHER01' });
    expect(JSON.parse(other).private_metadata).toContain('C0OTHER01');
    const prefilled = view({ ...ctx, prefill: { image: 'quay.io/a/b:1' } });
    expect(prefilled).toBe(JSON.stringify(buildModalView({ ...base, prefill: { image: 'quay.io/a/b:1' } })));
    expect(renders).toBe(3);
    // Bounded at 2: the first entry went when the third came, so it is rendered again.
    view(ctx);
    expect(renders).toBe(4);
    expect(view({ ...ctx, arches: ['aarch64'] })).not.toBe(first);
  });
});

describe('the build form on RHEL presets', () => {
  it('marks the presets whose ISOs need an entitled host and says where they can be built now', () => {
    const view = buildModalView({ ...base, entitledArches: ['x86_64'] });
    const options = presetSelect(view).options ?? [];
    expect(options.find((o) => o.value === 'rhel10')?.description?.text).toBe(
      'RHEL 10 · ISOs: RHEL hosts only',
    );
    expect(options.find((o) => o.value === 'centos-stream9')?.description?.text).not.toContain('RHEL hosts');
    const hint = (b: types.InputBlock) => b.hint?.text ?? '';
    expect(hint(inputBlock(view, BLOCKS.preset))).toContain('registered RHEL hosts: online now for x86_64');
    const none = buildModalView({ ...base, entitledArches: [] });
    expect(hint(inputBlock(none, BLOCKS.preset))).toContain('none is online now, so those builds wait');
    expect(hint(inputBlock(buildModalView(base), BLOCKS.preset))).not.toContain('RHEL hosts');
    expect(blockKitProblems('modal', { view: none })).toEqual([]);
  });

  it('renders again when the entitled hosts change', () => {
    const view = createModalViewCache({ presets: base.presets, defaultBuilder: base.defaultBuilder });
    const ctx = { arches: base.arches, channelId: CHANNEL_ID };
    expect(view({ ...ctx, entitledArches: [] })).not.toBe(view({ ...ctx, entitledArches: ['x86_64'] }));
  });

  it("shows a preset's types and derived image next to its name", () => {
    const view = buildModalView({
      ...base,
      presets: {
        disks: {
          image: 'quay.io/org/os:1',
          builder: 'b',
          description: 'Disk images',
          types: ['qcow2', 'raw'],
          packages: ['tmux'],
        },
      },
    });
    expect(presetSelect(view).options?.[0]?.description?.text).toBe(
      'Disk images · qcow2, raw · derived image',
    );
  });
});
