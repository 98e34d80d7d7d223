import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The version in the project's package.json, read once. The module runs from `src/` under tsx and from
 * `dist/src/` when compiled, so the file is one or two directories up.
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  cached = 'unknown';
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'bootc-iso-bot' && typeof pkg.version === 'string') {
        cached = pkg.version;
        break;
      }
    } catch {
      // Not at this level; try the next.
    }
  }
  return cached;
}
