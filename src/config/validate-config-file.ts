import { checkRules, type ParsedSections } from './check-rules.ts';
import { ConfigFile } from './file-schema.ts';
import { describeIssue, formatFileIssues, formatPath } from './format-issues.ts';
import { substituteEnv } from './substitute-env.ts';

/** 'all' is `npm start`: the bot and a build worker in one process, so it needs both sets of settings. */
export type ConfigRole = 'worker' | 'bot' | 'cli' | 'all';

export interface ValidatedConfigFile {
  /** Present only when there were no problems. */
  file: ConfigFile | undefined;
  problems: string[];
  /** Values at secret paths (registry passwords) after substitution, so error text can be scrubbed of them. */
  secrets: string[];
}

type SectionKey = keyof typeof ConfigFile.shape;
const SECTIONS = Object.keys(ConfigFile.shape) as SectionKey[];

/**
 * Substitute environment variables into parsed YAML data and validate it section by section, so that cross-section
 * rules still run for the sections that are valid and one pass reports every problem.
 * The bot never sees `registries`: it is dropped before substitution, so the bot needs no registry credentials.
 */
export function validateConfigFile(
  data: Record<string, unknown>,
  display: string,
  role: ConfigRole,
  env: Record<string, string | undefined>,
): ValidatedConfigFile {
  const problems: string[] = [];
  const input = role === 'bot' ? withoutKey(data, 'registries') : data;
  const secrets: string[] = [];
  // Strings whose substitution failed are reported once, not again by the schema.
  const failed = new Set<string>();
  const substituted = substituteEnv(input, env, {
    report: (path, problem) => {
      failed.add(formatPath(path));
      problems.push(`${display}: ${formatPath(path)}: ${problem}`);
    },
    secret: (value) => secrets.push(value),
  }) as Record<string, unknown>;

  const unknown = Object.keys(substituted).filter((key) => !(SECTIONS as string[]).includes(key));
  if (unknown.length > 0) {
    const lines = describeIssue({
      code: 'unrecognized_keys',
      keys: unknown,
      path: [],
      message: '',
      input: {},
    });
    problems.push(...lines.map((line) => `${display}: (top level): ${line}`));
  }

  const sections: ParsedSections = {};
  for (const key of SECTIONS) {
    const result = ConfigFile.shape[key].safeParse(substituted[key], { reportInput: true });
    if (result.success) Object.assign(sections, { [key]: result.data });
    else {
      const issues = result.error.issues.filter((issue) => !failed.has(formatPath([key, ...issue.path])));
      problems.push(...formatFileIssues(display, issues, [key]));
    }
  }
  problems.push(...checkRules(sections).map((problem) => `${display}: ${problem}`));
  if (problems.length > 0) return { file: undefined, problems, secrets };

  const file = ConfigFile.parse(substituted);
  // Null-prototype records: a lookup such as builders[userInput] cannot find "constructor" or "toString".
  return {
    file: {
      ...file,
      builders: nullPrototype(file.builders),
      presets: nullPrototype(file.presets),
      registries: nullPrototype(file.registries),
    },
    problems,
    secrets,
  };
}

function withoutKey(data: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([k]) => k !== key));
}

function nullPrototype<T>(record: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, record);
}
