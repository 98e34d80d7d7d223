// Strict Block Kit validation for the fake Slack: every limit of Slack's Block Kit reference, reported the way Slack
// reports them in `response_metadata.messages`. Use `blockKitProblems` directly to check a built view without HTTP.
import {
  type Checker,
  checkArray,
  checkId,
  checkString,
  checkText,
  checkTextObject,
  isRecord,
  report,
} from './block-kit-checks.ts';
import {
  ACCESSORY_ELEMENTS,
  ACTIONS_ELEMENTS,
  checkElement,
  checkImage,
  INPUT_ELEMENTS,
} from './block-kit-elements.ts';

type Surface = 'message' | 'modal' | 'home';

interface BlockContext extends Checker {
  surface: Surface;
  blockIds: Set<string>;
  inputBlocks: number;
}

function checkActionIdsUnique(c: BlockContext, elements: unknown[], at: string): void {
  const seen = new Set<string>();
  elements.forEach((el, i) => {
    if (!isRecord(el) || typeof el.action_id !== 'string') return;
    if (seen.has(el.action_id))
      report(c, `duplicate action_id: ${el.action_id}`, `${at}/elements/${i}/action_id`);
    seen.add(el.action_id);
  });
}

function checkSection(c: BlockContext, block: Record<string, unknown>, at: string): void {
  if (block.text === undefined && block.fields === undefined) report(c, 'missing required field: text', at);
  checkText(c, block, 'text', at, { max: 3000 });
  const fields = checkArray(c, block, 'fields', at, { max: 10, min: 1 }) ?? [];
  for (const [i, field] of fields.entries()) checkTextObject(c, field, `${at}/fields/${i}`, { max: 2000 });
  if (block.accessory !== undefined) {
    checkElement(c, block.accessory, `${at}/accessory`, ACCESSORY_ELEMENTS, 'section accessory');
  }
}

function checkContext(c: BlockContext, block: Record<string, unknown>, at: string): void {
  const elements = checkArray(c, block, 'elements', at, { max: 10, min: 1, required: true }) ?? [];
  elements.forEach((el, i) => {
    const pointer = `${at}/elements/${i}`;
    if (isRecord(el) && el.type === 'image') checkImage(c, el, pointer);
    else checkTextObject(c, el, pointer, { max: 3000 });
  });
}

function checkBlock(c: BlockContext, block: unknown, at: string): void {
  if (!isRecord(block)) {
    report(c, 'must be a block object', at);
    return;
  }
  checkId(c, block, 'block_id', at);
  if (typeof block.block_id === 'string') {
    if (c.blockIds.has(block.block_id)) report(c, `duplicate block_id: ${block.block_id}`, `${at}/block_id`);
    c.blockIds.add(block.block_id);
  }
  switch (block.type) {
    case 'section':
      checkSection(c, block, at);
      return;
    case 'header':
      checkText(c, block, 'text', at, { max: 150, plainOnly: true, required: true });
      return;
    case 'divider':
      return;
    case 'context':
      checkContext(c, block, at);
      return;
    case 'actions': {
      const elements = checkArray(c, block, 'elements', at, { max: 25, min: 1, required: true }) ?? [];
      for (const [i, el] of elements.entries()) {
        checkElement(c, el, `${at}/elements/${i}`, ACTIONS_ELEMENTS, 'actions block');
      }
      checkActionIdsUnique(c, elements, at);
      return;
    }
    case 'input':
      c.inputBlocks += 1;
      checkText(c, block, 'label', at, { max: 2000, plainOnly: true, required: true });
      checkText(c, block, 'hint', at, { max: 2000, plainOnly: true });
      if (block.element === undefined) report(c, 'missing required field: element', at);
      else checkElement(c, block.element, `${at}/element`, INPUT_ELEMENTS, 'input block');
      return;
    case 'image':
      checkImage(c, block, at);
      checkText(c, block, 'title', at, { max: 2000, plainOnly: true });
      return;
    case 'rich_text':
      // Accepted without deeper checks: the bot does not build rich_text by hand.
      checkArray(c, block, 'elements', at, { max: Number.POSITIVE_INFINITY, required: true });
      return;
    case 'markdown':
      // docs.slack.dev: the markdown block is available in messages only.
      if (c.surface !== 'message') report(c, 'markdown blocks are only allowed in messages', `${at}/type`);
      checkString(c, block, 'text', at, { max: 12000, min: 1, required: true });
      return;
    default:
      report(c, `unsupported block type: ${String(block.type)}`, `${at}/type`);
  }
}

function checkBlocks(c: BlockContext, blocks: unknown, at: string, max: number): void {
  if (!Array.isArray(blocks)) {
    report(c, 'must be an array', at);
    return;
  }
  if (blocks.length > max) report(c, `no more than ${max} items allowed`, at);
  for (const [i, block] of blocks.entries()) checkBlock(c, block, `${at}/${i}`);
}

/** A home tab: type home, up to 100 blocks, no title/submit/close (those belong to modals). */
function checkHome(c: BlockContext, view: unknown): void {
  const at = '/view';
  if (!isRecord(view)) {
    report(c, 'must be a view object', at);
    return;
  }
  if (view.type !== 'home') report(c, `unsupported view type: ${String(view.type)}`, `${at}/type`);
  for (const field of ['title', 'submit', 'close']) {
    if (view[field] !== undefined) report(c, `${field} is not allowed in a home view`, `${at}/${field}`);
  }
  checkId(c, view, 'callback_id', at);
  checkId(c, view, 'external_id', at);
  checkString(c, view, 'private_metadata', at, { max: 3000 });
  if (view.blocks === undefined) report(c, 'missing required field: blocks', at);
  else checkBlocks(c, view.blocks, `${at}/blocks`, 100);
}

function checkModal(c: BlockContext, view: unknown): void {
  const at = '/view';
  if (!isRecord(view)) {
    report(c, 'must be a view object', at);
    return;
  }
  if (view.type !== 'modal') report(c, `unsupported view type: ${String(view.type)}`, `${at}/type`);
  checkText(c, view, 'title', at, { max: 24, plainOnly: true, required: true });
  checkText(c, view, 'submit', at, { max: 24, plainOnly: true });
  checkText(c, view, 'close', at, { max: 24, plainOnly: true });
  checkId(c, view, 'callback_id', at);
  checkId(c, view, 'external_id', at);
  checkString(c, view, 'private_metadata', at, { max: 3000 });
  if (view.blocks === undefined) report(c, 'missing required field: blocks', at);
  else checkBlocks(c, view.blocks, `${at}/blocks`, 100);
  if (c.inputBlocks > 0 && view.submit === undefined) {
    report(c, 'submit is required when a view contains input blocks', `${at}/submit`);
  }
}

/**
 * Every Block Kit limit the payload breaks, as Slack-style `[ERROR] … [json-pointer:…]` strings (empty when valid).
 * `message` checks `payload.blocks` (absent is fine); `modal` and `home` check `payload.view` as that view type.
 */
export function blockKitProblems(kind: Surface, payload: { blocks?: unknown; view?: unknown }): string[] {
  const c: BlockContext = { problems: [], surface: kind, blockIds: new Set(), inputBlocks: 0 };
  if (kind === 'modal') checkModal(c, payload.view);
  else if (kind === 'home') checkHome(c, payload.view);
  else if (payload.blocks !== undefined) checkBlocks(c, payload.blocks, '/blocks', 50);
  return c.problems;
}
