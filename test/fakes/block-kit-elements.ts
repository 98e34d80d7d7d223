// Block Kit checks for options, confirm dialogs and interactive elements (limits: Slack's Block Kit reference;
// which element goes where: docs.slack.dev Block Kit reference, "Compatible blocks").
import {
  type Checker,
  checkArray,
  checkId,
  checkString,
  checkText,
  isRecord,
  report,
} from './block-kit-checks.ts';

function checkStyle(c: Checker, obj: Record<string, unknown>, at: string): void {
  if (obj.style !== undefined && obj.style !== 'primary' && obj.style !== 'danger') {
    report(c, 'must be one of: primary, danger', `${at}/style`);
  }
}

function checkConfirm(c: Checker, obj: Record<string, unknown>, at: string): void {
  const confirm = obj.confirm;
  if (confirm === undefined) return;
  const pointer = `${at}/confirm`;
  if (!isRecord(confirm)) {
    report(c, 'must be a confirmation dialog object', pointer);
    return;
  }
  checkText(c, confirm, 'title', pointer, { max: 100, plainOnly: true, required: true });
  checkText(c, confirm, 'text', pointer, { max: 300, required: true });
  checkText(c, confirm, 'confirm', pointer, { max: 30, plainOnly: true, required: true });
  checkText(c, confirm, 'deny', pointer, { max: 30, plainOnly: true, required: true });
  checkStyle(c, confirm, pointer);
}

function checkOption(
  c: Checker,
  option: unknown,
  pointer: string,
  plainOnly: boolean,
  allowUrl: boolean,
): void {
  if (!isRecord(option)) {
    report(c, 'must be an option object', pointer);
    return;
  }
  checkText(c, option, 'text', pointer, { max: 75, plainOnly, required: true });
  // Newer Slack docs allow a 150-character value, older clients and docs 75; the fake enforces the stricter 75.
  checkString(c, option, 'value', pointer, { max: 75, min: 1, required: true });
  checkText(c, option, 'description', pointer, { max: 75, plainOnly: true });
  if (allowUrl) checkString(c, option, 'url', pointer, { max: 3000 });
  else if (option.url !== undefined)
    report(c, 'url is only allowed in overflow menu options', `${pointer}/url`);
}

interface OptionsRule {
  max: number;
  plainOnly: boolean;
  allowUrl?: boolean;
  allowGroups?: boolean;
}

function checkOptions(c: Checker, el: Record<string, unknown>, at: string, rule: OptionsRule): void {
  const hasGroups = rule.allowGroups === true && el.option_groups !== undefined;
  if (hasGroups && el.options !== undefined) report(c, 'only one of options, option_groups is allowed', at);
  if (hasGroups) {
    const groups = checkArray(c, el, 'option_groups', at, { max: 100, min: 1 }) ?? [];
    groups.forEach((group, i) => {
      const pointer = `${at}/option_groups/${i}`;
      if (!isRecord(group)) {
        report(c, 'must be an option group object', pointer);
        return;
      }
      checkText(c, group, 'label', pointer, { max: 75, plainOnly: true, required: true });
      const options = checkArray(c, group, 'options', pointer, { max: 100, min: 1, required: true }) ?? [];
      for (const [j, o] of options.entries()) checkOption(c, o, `${pointer}/options/${j}`, true, false);
    });
    return;
  }
  const options = checkArray(c, el, 'options', at, { max: rule.max, min: 1, required: true }) ?? [];
  for (const [i, o] of options.entries()) {
    checkOption(c, o, `${at}/options/${i}`, rule.plainOnly, rule.allowUrl === true);
  }
}

function checkPlainTextInput(c: Checker, el: Record<string, unknown>, at: string): void {
  for (const key of ['min_length', 'max_length'] as const) {
    const value = el[key];
    if (value === undefined) continue;
    const low = key === 'max_length' ? 1 : 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > 3000) {
      report(c, `must be an integer between ${low} and 3000`, `${at}/${key}`);
    }
  }
  const { min_length: min, max_length: max } = el;
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    report(c, 'min_length must not exceed max_length', `${at}/min_length`);
  }
  checkString(c, el, 'initial_value', at, { max: 3000 });
}

const SELECTS = [
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
];
const MENUS = [...SELECTS, ...SELECTS.map((type) => `multi_${type}`)];
const COMMON = [
  'button',
  'checkboxes',
  'datepicker',
  'overflow',
  'radio_buttons',
  'timepicker',
  'workflow_button',
];

/** Element types each container accepts (docs.slack.dev Block Kit reference, "Compatible blocks"). */
export const ACCESSORY_ELEMENTS: ReadonlySet<string> = new Set([...COMMON, ...MENUS, 'image']);
export const ACTIONS_ELEMENTS: ReadonlySet<string> = new Set([...COMMON, ...MENUS, 'datetimepicker']);
export const INPUT_ELEMENTS: ReadonlySet<string> = new Set([
  ...MENUS,
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'file_input',
  'number_input',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'timepicker',
  'url_text_input',
]);

/** An image element (section accessory, context element). */
export function checkImage(c: Checker, el: Record<string, unknown>, at: string): void {
  if (el.image_url === undefined && el.slack_file === undefined)
    report(c, 'missing required field: image_url', at);
  checkString(c, el, 'image_url', at, { max: 3000, min: 1 });
  checkString(c, el, 'alt_text', at, { max: 2000, min: 1, required: true });
}

/** One interactive element inside a section accessory, an actions block or an input block. */
export function checkElement(
  c: Checker,
  el: unknown,
  at: string,
  allowed: ReadonlySet<string>,
  where: string,
) {
  if (!isRecord(el)) {
    report(c, 'must be an element object', at);
    return;
  }
  const type = el.type;
  if (typeof type !== 'string' || !allowed.has(type)) {
    report(c, `unsupported element type in ${where}: ${String(type)}`, `${at}/type`);
    return;
  }
  if (type === 'image') {
    checkImage(c, el, at);
    return;
  }
  checkId(c, el, 'action_id', at);
  checkConfirm(c, el, at);
  if (type !== 'button' && type !== 'workflow_button')
    checkText(c, el, 'placeholder', at, { max: 150, plainOnly: true });
  switch (type) {
    case 'button':
      checkText(c, el, 'text', at, { max: 75, plainOnly: true, required: true });
      checkString(c, el, 'value', at, { max: 2000 });
      checkString(c, el, 'url', at, { max: 3000, min: 1 });
      checkString(c, el, 'accessibility_label', at, { max: 75 });
      checkStyle(c, el, at);
      return;
    case 'workflow_button':
      checkText(c, el, 'text', at, { max: 75, plainOnly: true, required: true });
      checkStyle(c, el, at);
      return;
    case 'overflow':
      checkOptions(c, el, at, { max: 5, plainOnly: true, allowUrl: true });
      return;
    case 'radio_buttons':
    case 'checkboxes':
      checkOptions(c, el, at, { max: 10, plainOnly: false });
      return;
    case 'static_select':
    case 'multi_static_select':
      checkOptions(c, el, at, { max: 100, plainOnly: true, allowGroups: true });
      return;
    case 'plain_text_input':
      checkPlainTextInput(c, el, at);
      return;
    default:
      return;
  }
}
