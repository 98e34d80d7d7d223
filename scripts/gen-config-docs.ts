// `npm run docs:config`: writes docs/configuration.md from the config schemas (scripts/config-docs/render.ts).
// `--check` only compares, and exits 1 when the file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigDocs } from './config-docs/render.ts';

const target = new URL('../docs/configuration.md', import.meta.url);
const text = renderConfigDocs();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = '';
  }
  if (current !== text) {
    process.stderr.write('docs/configuration.md is out of date: run npm run docs:config\n');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  process.stdout.write('wrote docs/configuration.md\n');
}
