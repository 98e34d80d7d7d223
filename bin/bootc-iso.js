#!/usr/bin/env node
// The package's `bootc-iso` command: runs the compiled CLI in dist/ (built by `npm ci`, or `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/bin/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'bootc-iso: dist/ is missing; run `npm run build` (or `npm ci`) in the project directory\n',
  );
  process.exit(2);
}
process.setSourceMapsEnabled(true);
await import(entry.href);
