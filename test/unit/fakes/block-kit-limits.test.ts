import { describe, expect, it } from 'vitest';
import { blockKitProblems } from '../../fakes/block-kit-limits.ts';

const x = (n: number): string => 'x'.repeat(n);
const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });
const button = (over: Record<string, unknown> = {}) => ({
  type: 'button',
  action_id: 'b',
  text: plain('Go'),
  ...over,
});
const option = (text: string, value = 'v') => ({ text: plain(text), value });
const input = (element: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  type: 'input',
  block_id: 'in',
  label: plain('Label'),
  element,
  ...over,
});
const modal = (over: Record<string, unknown> = {}) => ({
  type: 'modal',
  callback_id: 'build',
  title: plain('Build an ISO'),
  submit: plain('Build'),
  close: plain('Cancel'),
  blocks: [input({ type: 'plain_text_input', action_id: 'image_ref', max_length: 3000 })],
  ...over,
});
const confirm = (over: Record<string, unknown> = {}) => ({
  title: plain('Cancel build?'),
  text: mrkdwn('The ISO will not be built.'),
  confirm: plain('Cancel build'),
  deny: plain('Keep going'),
  ...over,
});

const messageProblems = (blocks: unknown[]) => blockKitProblems('message', { blocks });
const modalProblems = (over: Record<string, unknown>) => blockKitProblems('modal', { view: modal(over) });

describe('blockKitProblems for messages', () => {
  it('accepts a typical build message with every block type the bot uses', () => {
    const blocks = [
      { type: 'header', text: plain('ISO build 42') },
      {
        type: 'section',
        block_id: 'summary',
        fields: [mrkdwn('*Image*\nquay.io/x'), mrkdwn('*Arch*\nx86_64')],
      },
      {
        type: 'context',
        elements: [
          mrkdwn('requested by <@U1>'),
          { type: 'image', image_url: 'https://x/y.png', alt_text: 'y' },
        ],
      },
      { type: 'divider' },
      {
        type: 'actions',
        block_id: 'build_actions',
        elements: [
          button({ action_id: 'download', url: 'https://example.com/x.iso', style: 'primary' }),
          button({ action_id: 'cancel', value: 'job-42', style: 'danger', confirm: confirm() }),
        ],
      },
      {
        type: 'rich_text',
        elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'log' }] }],
      },
      { type: 'markdown', text: '**done**' },
    ];
    expect(messageProblems(blocks)).toEqual([]);
    expect(blockKitProblems('message', {})).toEqual([]);
  });

  it('reports section text over 3000 characters with a json pointer, as Slack does', () => {
    expect(messageProblems([section(x(3000))])).toEqual([]);
    expect(messageProblems([section(x(3001))])).toEqual([
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);
  });

  it('allows 50 blocks in a message and refuses 51', () => {
    expect(messageProblems(Array.from({ length: 50 }, () => ({ type: 'divider' })))).toEqual([]);
    expect(messageProblems(Array.from({ length: 51 }, () => ({ type: 'divider' })))).toEqual([
      '[ERROR] no more than 50 items allowed [json-pointer:/blocks]',
    ]);
  });

  it.each([
    [
      'section with 11 fields',
      { type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) },
      '/blocks/0/fields',
    ],
    ['section field over 2000', { type: 'section', fields: [mrkdwn(x(2001))] }, '/blocks/0/fields/0/text'],
    ['header over 150', { type: 'header', text: plain(x(151)) }, '/blocks/0/text/text'],
    ['header in mrkdwn', { type: 'header', text: mrkdwn('h') }, '/blocks/0/text/type'],
    [
      'context with 11 elements',
      { type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) },
      '/blocks/0/elements',
    ],
    [
      'actions with 26 elements',
      { type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button({ action_id: `b${i}` })) },
      '/blocks/0/elements',
    ],
    ['block_id over 255', { type: 'divider', block_id: x(256) }, '/blocks/0/block_id'],
    [
      'action_id over 255',
      { type: 'actions', elements: [button({ action_id: x(256) })] },
      '/blocks/0/elements/0/action_id',
    ],
    [
      'button text over 75',
      { type: 'actions', elements: [button({ text: plain(x(76)) })] },
      '/blocks/0/elements/0/text/text',
    ],
    [
      'button value over 2000',
      { type: 'actions', elements: [button({ value: x(2001) })] },
      '/blocks/0/elements/0/value',
    ],
    [
      'button url over 3000',
      { type: 'actions', elements: [button({ url: `https://${x(2993)}` })] },
      '/blocks/0/elements/0/url',
    ],
    [
      'button style unknown',
      { type: 'actions', elements: [button({ style: 'green' })] },
      '/blocks/0/elements/0/style',
    ],
    [
      'confirm title over 100',
      { type: 'actions', elements: [button({ confirm: confirm({ title: plain(x(101)) }) })] },
      '/blocks/0/elements/0/confirm/title/text',
    ],
    [
      'confirm text over 300',
      { type: 'actions', elements: [button({ confirm: confirm({ text: mrkdwn(x(301)) }) })] },
      '/blocks/0/elements/0/confirm/text/text',
    ],
    [
      'confirm button over 30',
      { type: 'actions', elements: [button({ confirm: confirm({ confirm: plain(x(31)) }) })] },
      '/blocks/0/elements/0/confirm/confirm/text',
    ],
    [
      'deny button over 30',
      { type: 'actions', elements: [button({ confirm: confirm({ deny: plain(x(31)) }) })] },
      '/blocks/0/elements/0/confirm/deny/text',
    ],
    ['markdown over 12000', { type: 'markdown', text: x(12001) }, '/blocks/0/text'],
    ['unknown block type', { type: 'table' }, '/blocks/0/type'],
    [
      'text object of unknown type',
      { type: 'section', text: { type: 'markdown', text: 'a' } },
      '/blocks/0/text/type',
    ],
    ['empty section text', section(''), '/blocks/0/text/text'],
    ['section without text or fields', { type: 'section' }, '/blocks/0'],
    ['image without alt_text', { type: 'image', image_url: 'https://x/y.png' }, '/blocks/0'],
    [
      'text input inside actions',
      { type: 'actions', elements: [{ type: 'plain_text_input', action_id: 'i' }] },
      '/blocks/0/elements/0/type',
    ],
  ])('refuses a %s', (_name, block, pointer) => {
    const problems = messageProblems([block]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\[ERROR\] .+ \[json-pointer:.+\]$/);
    expect(problems[0]).toContain(`[json-pointer:${pointer}]`);
  });

  it('refuses a duplicate block_id, and a duplicate action_id within one actions block', () => {
    const blocks = [
      { type: 'divider', block_id: 'same' },
      {
        type: 'actions',
        block_id: 'same',
        elements: [button({ action_id: 'a' }), button({ action_id: 'a' })],
      },
    ];
    expect(messageProblems(blocks)).toEqual([
      '[ERROR] duplicate block_id: same [json-pointer:/blocks/1/block_id]',
      '[ERROR] duplicate action_id: a [json-pointer:/blocks/1/elements/1/action_id]',
    ]);
  });

  it('refuses blocks that are not an array and blocks that are not objects', () => {
    expect(blockKitProblems('message', { blocks: { type: 'divider' } })).toEqual([
      '[ERROR] must be an array [json-pointer:/blocks]',
    ]);
    expect(messageProblems(['divider'])).toEqual(['[ERROR] must be a block object [json-pointer:/blocks/0]']);
  });
});

describe('blockKitProblems for modals', () => {
  it('accepts a build modal with selects, radio buttons and checkboxes', () => {
    const blocks = [
      input(
        { type: 'plain_text_input', action_id: 'image_ref', placeholder: plain('quay.io/…') },
        { block_id: 'image' },
      ),
      input(
        { type: 'static_select', action_id: 'arch', options: [option('x86_64'), option('aarch64', 'arm')] },
        { block_id: 'arch', hint: plain('CPU architecture') },
      ),
      input(
        { type: 'radio_buttons', action_id: 'fmt', options: [{ text: mrkdwn('*iso*'), value: 'iso' }] },
        { block_id: 'fmt' },
      ),
      input(
        { type: 'checkboxes', action_id: 'opts', options: [option('Sign')] },
        { block_id: 'opts', optional: true },
      ),
    ];
    expect(blockKitProblems('modal', { view: modal({ blocks, private_metadata: x(3000) }) })).toEqual([]);
  });

  it('allows 100 blocks in a modal and refuses 101', () => {
    const dividers = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    expect(modalProblems({ blocks: dividers(100), submit: undefined })).toEqual([]);
    expect(modalProblems({ blocks: dividers(101) })).toEqual([
      '[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]',
    ]);
  });

  it.each([
    ['title over 24', { title: plain(x(25)) }, '/view/title/text'],
    ['submit over 24', { submit: plain(x(25)) }, '/view/submit/text'],
    ['close over 24', { close: plain(x(25)) }, '/view/close/text'],
    ['missing title', { title: undefined }, '/view'],
    ['missing submit with an input block', { submit: undefined }, '/view/submit'],
    ['callback_id over 255', { callback_id: x(256) }, '/view/callback_id'],
    ['external_id over 255', { external_id: x(256) }, '/view/external_id'],
    ['private_metadata over 3000', { private_metadata: x(3001) }, '/view/private_metadata'],
    ['view type other than modal', { type: 'home' }, '/view/type'],
    [
      'label over 2000',
      { blocks: [input({ type: 'plain_text_input', action_id: 'i' }, { label: plain(x(2001)) })] },
      '/view/blocks/0/label/text',
    ],
    [
      'hint over 2000',
      { blocks: [input({ type: 'plain_text_input', action_id: 'i' }, { hint: plain(x(2001)) })] },
      '/view/blocks/0/hint/text',
    ],
    [
      'input without an element',
      { blocks: [input({ type: 'plain_text_input' }, { element: undefined })] },
      '/view/blocks/0',
    ],
    [
      'max_length of 0',
      { blocks: [input({ type: 'plain_text_input', max_length: 0 })] },
      '/view/blocks/0/element/max_length',
    ],
    [
      'max_length over 3000',
      { blocks: [input({ type: 'plain_text_input', max_length: 3001 })] },
      '/view/blocks/0/element/max_length',
    ],
    [
      'placeholder over 150',
      { blocks: [input({ type: 'plain_text_input', placeholder: plain(x(151)) })] },
      '/view/blocks/0/element/placeholder/text',
    ],
    [
      'static_select with 101 options',
      {
        blocks: [
          input({ type: 'static_select', options: Array.from({ length: 101 }, (_, i) => option(`o${i}`)) }),
        ],
      },
      '/view/blocks/0/element/options',
    ],
    [
      'option text over 75',
      { blocks: [input({ type: 'static_select', options: [option(x(76))] })] },
      '/view/blocks/0/element/options/0/text/text',
    ],
    [
      'option value over 75',
      { blocks: [input({ type: 'static_select', options: [option('a', x(76))] })] },
      '/view/blocks/0/element/options/0/value',
    ],
    [
      'option description over 75',
      {
        blocks: [input({ type: 'static_select', options: [{ ...option('a'), description: plain(x(76)) }] })],
      },
      '/view/blocks/0/element/options/0/description/text',
    ],
    [
      'radio_buttons with 11 options',
      {
        blocks: [
          input({ type: 'radio_buttons', options: Array.from({ length: 11 }, (_, i) => option(`o${i}`)) }),
        ],
      },
      '/view/blocks/0/element/options',
    ],
    [
      'checkboxes with 11 options',
      {
        blocks: [
          input({ type: 'checkboxes', options: Array.from({ length: 11 }, (_, i) => option(`o${i}`)) }),
        ],
      },
      '/view/blocks/0/element/options',
    ],
    ['a button inside an input block', { blocks: [input(button())] }, '/view/blocks/0/element/type'],
    ['a markdown block', { blocks: [{ type: 'markdown', text: 'a' }] }, '/view/blocks/0/type'],
  ])('refuses a modal with %s', (_name, over, pointer) => {
    const problems = modalProblems(over);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`[json-pointer:${pointer}]`);
  });

  it('refuses a view that is not an object', () => {
    expect(blockKitProblems('modal', {})).toEqual(['[ERROR] must be a view object [json-pointer:/view]']);
  });
});
