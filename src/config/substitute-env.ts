import { isSecretPath } from './format-issues.ts';

export type Substituted = { ok: true; value: string } | { ok: false; problem: string };

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Expand `${VAR}` and `${VAR:-default}` in one string; `$${` is a literal `${`. As in the shell, the default is
 * used when the variable is unset or empty, while `${VAR}` with an empty VAR gives an empty string. Defaults are
 * literal text (no nesting) and end at the first `}`.
 */
export function substituteString(
  input: string,
  env: Record<string, string | undefined>,
  opts: { secret?: boolean } = {},
): Substituted {
  let out = '';
  let i = 0;
  while (i < input.length) {
    if (input.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!input.startsWith('${', i)) {
      out += input[i];
      i += 1;
      continue;
    }
    const end = input.indexOf('}', i + 2);
    if (end === -1) {
      return {
        ok: false,
        problem: `has a "\${" without a closing "}"; close it, or write "$\${" for a literal "\${"`,
      };
    }
    const inner = input.slice(i + 2, end);
    const match = REFERENCE.exec(inner);
    if (!match) {
      const shown = opts.secret ? `has a "\${...}" that` : `"\${${inner}}"`;
      return {
        ok: false,
        problem: `${shown} is not a variable reference; write \${NAME} or \${NAME:-default}, or "$\${" for a literal "\${"`,
      };
    }
    const [, name = '', fallback] = match;
    const value = env[name];
    if (fallback !== undefined && (value === undefined || value === '')) {
      out += fallback;
    } else if (value === undefined) {
      return {
        ok: false,
        problem: `\${${name}} refers to the environment variable ${name}, which is not set; set ${name} or write \${${name}:-default}`,
      };
    } else {
      out += value;
    }
    i = end + 1;
  }
  return { ok: true, value: out };
}

export interface SubstituteHooks {
  /** `problem` is "what is wrong; how to fix it" for the string at `path`, which is then kept as written. */
  report: (path: PropertyKey[], problem: string) => void;
  /** Called with each substituted value at a secret path (a password), so callers can keep it out of messages. */
  secret?: (value: string) => void;
}

/**
 * Substitute in every string value of already-parsed YAML data (keys are left alone). Working on parsed data means a
 * variable holding YAML syntax stays one plain string and cannot change the document's structure.
 * A string that fails is kept as written and reported.
 */
export function substituteEnv(
  data: unknown,
  env: Record<string, string | undefined>,
  hooks: SubstituteHooks,
  path: PropertyKey[] = [],
): unknown {
  if (typeof data === 'string') {
    const secret = isSecretPath(path);
    const result = substituteString(data, env, { secret });
    if (!result.ok) {
      hooks.report(path, result.problem);
      return data;
    }
    if (secret) hooks.secret?.(result.value);
    return result.value;
  }
  if (Array.isArray(data)) return data.map((item, i) => substituteEnv(item, env, hooks, [...path, i]));
  if (typeof data === 'object' && data !== null) {
    // fromEntries defines own properties, so even a "__proto__" key could not reach a prototype.
    return Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, substituteEnv(value, env, hooks, [...path, key])]),
    );
  }
  return data;
}
