import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { DEFAULT_CONFIG_PATH } from './env-schema.ts';
import { formatPath } from './format-issues.ts';

/** Bigger than any sane config; stops a huge file or value before the parser sees it. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_DEPTH = 32;
/** Keys that could reach Object.prototype (directly, or through a lookup like `builders[name]`). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Where the config file is looked for when neither `--config-file` nor BOOTC_ISO_CONFIG names one: the checkout's
 * own file (relative to the working directory), then the system-wide one.
 */
export const CONFIG_SEARCH_PATHS = [DEFAULT_CONFIG_PATH, '/etc/bootc-iso/config.yaml'] as const;

export type ConfigFileRead =
  | { kind: 'missing'; reason: string }
  | { kind: 'problems'; problems: string[] }
  | { kind: 'ok'; data: Record<string, unknown> };

/**
 * Read and parse the YAML config into plain data (null, booleans, finite numbers, strings, lists, mappings).
 * Anything else — unresolved or exotic tags, alias bombs, prototype keys, excessive nesting — is a problem.
 */
export function readConfigFile(
  path: string,
  display: string,
  readFile: (path: string) => string,
): ConfigFileRead {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return { kind: 'missing', reason: 'does not exist' };
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    return {
      kind: 'problems',
      problems: [`${display}: could not be read (${reason}); check the path and permissions`],
    };
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) {
    return {
      kind: 'problems',
      problems: [`${display}: is larger than ${MAX_CONFIG_BYTES} bytes; this is not a config file`],
    };
  }
  return parseConfigText(text, display);
}

/**
 * The first file of CONFIG_SEARCH_PATHS that exists, already read; the first path (reported as missing) when none
 * does, so built-in defaults apply.
 */
export function findConfigFile(
  cwd: string,
  readFile: (path: string) => string,
): { display: string; path: string; read: ConfigFileRead } {
  let first: { display: string; path: string; read: ConfigFileRead } | undefined;
  for (const display of CONFIG_SEARCH_PATHS) {
    const path = resolve(cwd, display);
    const read = readConfigFile(path, display, readFile);
    if (read.kind !== 'missing') return { display, path, read };
    first ??= { display, path, read };
  }
  return first as { display: string; path: string; read: ConfigFileRead };
}

export function parseConfigText(text: string, display: string): ConfigFileRead {
  const lineCounter = new LineCounter();
  const problems: string[] = [];
  let value: unknown;
  try {
    const doc = parseDocument(text, {
      lineCounter,
      prettyErrors: false,
      merge: true,
      uniqueKeys: true,
      // YAML 1.1 extras (!!binary, !!set, !!timestamp...) stay unresolved and are reported below.
      resolveKnownTags: false,
    });
    for (const error of [...doc.errors, ...doc.warnings]) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const message = error.message.split('\n')[0] ?? error.message;
      const fix =
        error.code === 'TAG_RESOLVE_FAILED'
          ? 'remove the tag: only plain strings, numbers, booleans, lists and mappings are accepted'
          : 'fix the YAML syntax';
      problems.push(`${display}:${line}:${col}: ${message}; ${fix}`);
    }
    if (problems.length > 0) return { kind: 'problems', problems };
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // toJS throws on alias bombs ("Excessive alias count"); the parser can throw on pathological input.
    const message = error instanceof Error ? error.message : String(error);
    return {
      kind: 'problems',
      problems: [`${display}: could not be parsed (${message}); simplify the file`],
    };
  }
  if (value === null || value === undefined) return { kind: 'ok', data: {} };
  if (!isPlainObject(value)) {
    return {
      kind: 'problems',
      problems: [`${display}: the top level is not a mapping; write "key: value" fields`],
    };
  }
  const data = toPlainData(value, [], (path, text) =>
    problems.push(`${display}: ${formatPath(path)}: ${text}`),
  );
  return problems.length > 0
    ? { kind: 'problems', problems }
    : { kind: 'ok', data: data as Record<string, unknown> };
}

type Report = (path: PropertyKey[], text: string) => void;

/** Copy `value` keeping only plain data; a mapping entry whose value is null counts as left out. */
function toPlainData(value: unknown, path: PropertyKey[], report: Report): unknown {
  if (path.length > MAX_DEPTH) {
    report(path, `is nested more than ${MAX_DEPTH} levels deep; flatten it`);
    return undefined;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    report(path, `${value} is not a finite number; write a plain number`);
    return undefined;
  }
  if (Array.isArray(value)) return value.map((item, i) => toPlainData(item, [...path, i], report));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        report([...path, key], 'is a reserved key name; rename or remove it');
      } else if (item !== null) {
        out[key] = toPlainData(item, [...path, key], report);
      }
    }
    return out;
  }
  report(path, 'has an unsupported YAML type; use plain strings, numbers, booleans, lists and mappings');
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
