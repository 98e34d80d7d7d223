import type { z } from 'zod';
import { KNOWN_KEYS } from './file-schema.ts';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** `presets.rhel9.builder`, `registries["registry.redhat.io"].password`, `allowedRegistries[0]`. */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key))
      out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(top level)' : out;
}

/** Paths whose values are secrets: never echoed into messages. */
export function isSecretPath(path: readonly PathKey[]): boolean {
  // passwordFile holds a path, not a secret.
  return path.some((key) => typeof key === 'string' && (key === 'password' || /secret|token/i.test(key)));
}

/** A short, value-revealing description of `input`, or only its kind when it is a secret. */
export function showValue(input: unknown, secret: boolean): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (secret) return typeof input === 'string' ? 'a string' : `a ${typeof input}`;
  if (typeof input === 'string')
    return JSON.stringify(input.length > 80 ? `${input.slice(0, 77)}...` : input);
  return String(input);
}

const KIND: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** "What is wrong; how to fix it" for one zod issue, without the path. */
export function describeIssue(issue: Issue): string[] {
  const secret = isSecretPath(issue.path);
  const input = 'input' in issue ? issue.input : undefined;
  switch (issue.code) {
    case 'custom':
      return [issue.message];
    case 'invalid_key':
      return [issue.issues[0]?.message ?? 'is not a valid key'];
    case 'invalid_type': {
      const kind = KIND[issue.expected] ?? issue.expected;
      if (input === undefined) return [`is required; add it (${kind})`];
      return [`${showValue(input, secret)} is not ${kind}; write ${kind}`];
    }
    case 'too_small':
      if (issue.origin === 'string') return ['is empty; write a value or remove the field'];
      return [
        `${showValue(input, secret)} is under the minimum of ${issue.minimum}; set at least ${issue.minimum}`,
      ];
    case 'too_big':
      if (issue.origin === 'string') {
        return [`is longer than ${issue.maximum} characters; shorten it`];
      }
      return [
        `${showValue(input, secret)} is over the maximum of ${issue.maximum}; set at most ${issue.maximum}`,
      ];
    case 'unrecognized_keys':
      return issue.keys.map((key) => describeUnknownKey(key, issue.path));
    default:
      return [issue.message];
  }
}

function describeUnknownKey(key: string, path: readonly PathKey[]): string {
  const pattern = path.map((k, i) =>
    i === 1 && ['builders', 'presets', 'registries'].includes(String(path[0])) ? '*' : String(k),
  );
  const known = KNOWN_KEYS[pattern.join('.')] ?? [];
  const guess = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
  return `has an unknown field ${JSON.stringify(key)}${hint}; remove it or use one of: ${known.join(', ')}`;
}

/** Lines `file: path: problem; fix` for the issues of one section of the config file. */
export function formatFileIssues(
  file: string,
  issues: readonly Issue[],
  prefix: readonly PathKey[] = [],
): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    return describeIssue({ ...issue, path } as Issue).map((text) => `${file}: ${formatPath(path)}: ${text}`);
  });
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
