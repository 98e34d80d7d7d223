import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EnvSchema } from '../../src/config/env-schema.ts';
import { ConfigFile } from '../../src/config/file-schema.ts';
import { CONFIG_SEARCH_PATHS } from '../../src/config/read-config-file.ts';
import { ENV_DOCS } from './env-docs.ts';
import { FILE_DOCS } from './file-docs.ts';

// Renders docs/configuration.md from the zod schemas of src/config: every environment variable a reader there
// takes, and every field of the YAML file with its type, default and limits. Throws when a variable or field has
// no description, so the document cannot silently fall behind the code.

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
};

interface Field {
  path: string;
  schema: JsonSchema;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/** Every variable src/config reads: the zod environment schema's keys and the names the other readers look up. */
export function envVariables(): string[] {
  const names = new Set(Object.keys((EnvSchema.in as unknown as { shape: Record<string, unknown> }).shape));
  const dir = join(ROOT, 'src/config');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(join(dir, file), 'utf8');
    for (const m of source.matchAll(/\b(?:env\.|get\(')([A-Z][A-Z0-9_]{2,})\b/g)) names.add(m[1] as string);
  }
  return [...names].sort();
}

const isRule = (s: JsonSchema) =>
  s.type === 'object' &&
  s.properties !== undefined &&
  Object.values(s.properties).every((p) => p.type === 'array' && p.items?.type === 'string');

/** The documented fields: leaves, access rules (as one field), and mappings of named entries (as a header). */
export function fileFields(): Field[] {
  const root = z.toJSONSchema(ConfigFile, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  const out: Field[] = [];
  const walk = (s: JsonSchema, path: string) => {
    const record = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    if (path.startsWith('access.') && isRule(s)) out.push({ path, schema: s });
    else if (s.type === 'object' && s.properties) {
      for (const [key, child] of Object.entries(s.properties)) walk(child, path ? `${path}.${key}` : key);
    } else if (s.type === 'object' && record?.type === 'object') {
      out.push({ path, schema: s });
      walk(record, `${path}.<name>`);
    } else out.push({ path, schema: s });
  };
  walk(root, '');
  return out;
}

const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

function describeType(s: JsonSchema): string {
  if (isRule(s))
    return `rule: ${Object.keys(s.properties ?? {})
      .map((k) => `\`${k}\``)
      .join(', ')} (lists of Slack IDs)`;
  const range = (min?: number, max?: number) =>
    min !== undefined && max !== undefined ? ` ${min}–${max}` : min !== undefined ? ` ≥ ${min}` : '';
  if (s.type === 'integer') return `whole number${range(s.minimum, s.maximum)}`;
  if (s.type === 'number') return `number${range(s.minimum, s.maximum)}`;
  if (s.type === 'boolean') return 'boolean';
  if (s.type === 'array') return `list of ${s.items?.type === 'string' ? 'strings' : 'entries'}`;
  if (s.type === 'object') return 'mapping of named entries';
  if (s.type === 'string')
    return `string${s.maxLength !== undefined ? ` (≤ ${s.maxLength} characters)` : ''}`;
  return 'any';
}

function describeDefault(s: JsonSchema): string {
  if (s.default === undefined) return isRule(s) ? 'empty (everyone)' : 'unset';
  if (typeof s.default === 'object' && s.default !== null && !Array.isArray(s.default)) {
    const entries = Object.entries(s.default as Record<string, unknown>);
    if (entries.length === 0) return 'none';
    return entries
      .map(([name, v]) => {
        const value = v as { image?: string };
        return `${code(name)}${value.image ? `: ${code(value.image)}` : ''}`;
      })
      .join('<br>');
  }
  if (Array.isArray(s.default)) return s.default.length === 0 ? 'none' : s.default.map(code).join(', ');
  return code(s.default);
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The document as the repository's formatter (biome, which aligns Markdown tables) leaves it. */
export function renderConfigDocs(): string {
  return execFileSync(
    join(ROOT, 'node_modules/.bin/biome'),
    ['format', '--stdin-file-path=docs/configuration.md'],
    {
      cwd: ROOT,
      input: renderRawConfigDocs(),
      encoding: 'utf8',
    },
  );
}

function renderRawConfigDocs(): string {
  const problems: string[] = [];
  const variables = envVariables();
  for (const name of variables)
    if (!ENV_DOCS[name])
      problems.push(`environment variable ${name} has no entry in scripts/config-docs/env-docs.ts`);
  for (const name of Object.keys(ENV_DOCS))
    if (!variables.includes(name))
      problems.push(`env-docs.ts describes ${name}, which src/config does not read`);
  const fields = fileFields();
  const paths = fields.map((f) => f.path);
  for (const path of paths)
    if (!FILE_DOCS[path])
      problems.push(`config field ${path} has no entry in scripts/config-docs/file-docs.ts`);
  for (const path of Object.keys(FILE_DOCS))
    if (!paths.includes(path))
      problems.push(`file-docs.ts describes ${path}, which the schema does not have`);
  if (problems.length > 0) throw new Error(problems.join('\n'));

  const envRows = variables
    .filter((name) => !ENV_DOCS[name]?.group)
    .map((name) => {
      const doc = ENV_DOCS[name] as { default: string; meaning: string };
      const together = variables.filter((other) => ENV_DOCS[other]?.group === name);
      return `| ${[name, ...together].map((n) => `\`${n}\``).join(', ')} | ${cell(doc.default)} | ${cell(doc.meaning)} |`;
    });
  const fileRows = fields.map(
    (f) =>
      `| \`${f.path}\` | ${cell(describeType(f.schema))} | ${cell(describeDefault(f.schema))} | ${cell(FILE_DOCS[f.path] ?? '')} |`,
  );
  return `${[
    '<!-- Generated by `npm run docs:config` (scripts/gen-config-docs.ts) from the schemas in src/config; edit those',
    '     and scripts/config-docs/, not this file. A test fails when this file is out of date. -->',
    '',
    '# Configuration',
    '',
    'Every process (the Slack bot, a build worker, `npm start`, the `bootc-iso` command) reads its settings once at',
    'start-up from **environment variables** and a **YAML file**. When anything is wrong, it stops before doing any',
    'work and prints every problem at once, one per line, naming the variable or the YAML path, what is wrong and how',
    'to fix it:',
    '',
    '```text',
    'LINK_TTL_SECONDS: 700000 is over the S3 presign maximum of 604800 (7 days); set a value between 60 and 604800',
    'config/bootc-iso.yaml: presets.rhel9.builder: "rhel11" is not one of the builders (rhel9, rhel10, centos); name one of them or add "rhel11" under builders',
    '```',
    '',
    'Secret values (tokens, the S3 secret key, registry and Redis passwords) never appear in these messages or in logs.',
    '',
    '## Where the YAML file is',
    '',
    `\`bootc-iso --config-file FILE\`, else \`BOOTC_ISO_CONFIG\`, else the first that exists of ${CONFIG_SEARCH_PATHS.map((p) => `\`${p}\``).join(', then ')}`,
    '(relative paths against the working directory). With none, the built-in defaults below apply;',
    '`config/bootc-iso.yaml` in the repository holds exactly those defaults. `config/bootc-iso.example.yaml` explains',
    'every field in comments.',
    '',
    '## Environment variables',
    '',
    'An empty variable (`FOO=`) counts as unset.',
    '',
    '| Variable | Default | Meaning |',
    '| --- | --- | --- |',
    ...envRows,
    '',
    '## The YAML file',
    '',
    'Every section is optional; a section left out gets its defaults, and inside `worker` and `access` each field has',
    'its own. `builders` and `presets`, when given, replace the default lists. Fields are checked strictly: a misspelt',
    'name is an error with a "did you mean" hint. A field with an empty value (`storeCache:`) counts as left out.',
    '',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: config-file syntax in documentation text, not a template
    '**Environment variables in values.** Any string value may contain `${VAR}` or `${VAR:-default}` (the default',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: config-file syntax in documentation text, not a template
    'applies when `VAR` is unset or empty); `$${` is a literal `${`. An unset `${VAR}` without a default is an error',
    "naming it. Substitution happens after parsing, so a value can never change the file's structure; keys are never",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: config-file syntax in documentation text, not a template
    'substituted. Numbers and `true`/`false` may be written as strings (`concurrency: "${WORKER_CONCURRENCY:-1}"`).',
    '',
    '**Only plain YAML.** Strings, numbers, booleans, lists, mappings, anchors and `<<` merge keys. Tags (`!!binary`,',
    '`!!js/function`), duplicate keys, the keys `__proto__`, `constructor` and `prototype`, non-finite numbers,',
    'nesting deeper than 32 levels, alias bombs and files over 1 MiB are errors.',
    '',
    'Paths (`workDir`, `containerStorage`, `storeCache`, `rpmmdCache`, `passwordFile`) must be absolute; the mounted',
    'ones must not contain `:` or `,`, which `podman -v` cannot express.',
    '',
    '| Field | Type | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...fileRows,
  ].join('\n')}\n`;
}
