// Primitive Block Kit checks: strings, identifiers, text objects and arrays, with Slack-style problem strings
// (`[ERROR] <reason> [json-pointer:<path>]`, as in `response_metadata.messages`). Limits: Slack's Block Kit reference.
// Lengths are UTF-16 code units (String#length), which is never more lenient than Slack's character count.

export interface Checker {
  problems: string[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function report(c: Checker, reason: string, pointer: string): void {
  c.problems.push(`[ERROR] ${reason} [json-pointer:${pointer}]`);
}

interface StringRule {
  max: number;
  min?: number;
  required?: boolean;
}

/** `obj[key]` must be a string within limits; an absent key is fine unless required. */
export function checkString(
  c: Checker,
  obj: Record<string, unknown>,
  key: string,
  at: string,
  rule: StringRule,
) {
  const value = obj[key];
  if (value === undefined) {
    if (rule.required) report(c, `missing required field: ${key}`, at);
    return;
  }
  const pointer = `${at}/${key}`;
  if (typeof value !== 'string') {
    report(c, 'must be a string', pointer);
    return;
  }
  if (value.length > rule.max) report(c, `must be less than ${rule.max + 1} characters`, pointer);
  if (rule.min !== undefined && value.length < rule.min) {
    report(c, `must be more than ${rule.min - 1} characters`, pointer);
  }
}

/** The four Slack-wide identifiers (`block_id`, `action_id`, `callback_id`, `external_id`) are capped at 255. */
export function checkId(c: Checker, obj: Record<string, unknown>, key: string, at: string, required = false) {
  checkString(c, obj, key, at, { max: 255, min: 1, required });
}

interface TextRule {
  max: number;
  plainOnly?: boolean;
}

/** A text object at `pointer`: `{ type: 'plain_text' | 'mrkdwn', text: non-empty string }`. */
export function checkTextObject(c: Checker, value: unknown, pointer: string, rule: TextRule): void {
  if (!isRecord(value)) {
    report(c, 'must be a text object', pointer);
    return;
  }
  if (value.type !== 'plain_text' && value.type !== 'mrkdwn') {
    report(c, `unsupported text object type: ${String(value.type)}`, `${pointer}/type`);
  } else if (rule.plainOnly && value.type !== 'plain_text') {
    report(c, 'must be plain_text', `${pointer}/type`);
  }
  checkString(c, value, 'text', pointer, { max: rule.max, min: 1, required: true });
}

/** `obj[key]` as a text object; an absent key is fine unless required. */
export function checkText(
  c: Checker,
  obj: Record<string, unknown>,
  key: string,
  at: string,
  rule: TextRule & { required?: boolean },
): void {
  const value = obj[key];
  if (value === undefined) {
    if (rule.required) report(c, `missing required field: ${key}`, at);
    return;
  }
  checkTextObject(c, value, `${at}/${key}`, rule);
}

interface ArrayRule {
  max: number;
  min?: number;
  required?: boolean;
}

/** `obj[key]` must be an array of `min..max` items; returns it for per-item checks. */
export function checkArray(
  c: Checker,
  obj: Record<string, unknown>,
  key: string,
  at: string,
  rule: ArrayRule,
): unknown[] | undefined {
  const value = obj[key];
  if (value === undefined) {
    if (rule.required) report(c, `missing required field: ${key}`, at);
    return undefined;
  }
  const pointer = `${at}/${key}`;
  if (!Array.isArray(value)) {
    report(c, 'must be an array', pointer);
    return undefined;
  }
  if (value.length > rule.max) report(c, `no more than ${rule.max} items allowed`, pointer);
  const min = rule.min ?? 0;
  if (value.length < min) report(c, `must provide at least ${min} items`, pointer);
  return value;
}
