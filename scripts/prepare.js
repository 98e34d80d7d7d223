#!/usr/bin/env node
// `prepare` of `npm ci` / `npm install`: compiles the TypeScript sources into dist/ so that `npm start`, the
// systemd units and the `bootc-iso` command run plain JavaScript. An install without devDependencies
// (`npm ci --omit=dev`) has no compiler; it then keeps the dist/ that is already there (built on another machine
// or in a container build stage) and says so when there is none.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** The compiler, when devDependencies are installed (typescript alone may come in as another package's peer). */
function findCompiler() {
  if ((process.env.npm_config_omit ?? '').split(/[\s,]+/).includes('dev')) return undefined;
  try {
    require.resolve('@types/node/package.json');
    // `bin/tsc` is not in the package's exports; find it next to its package.json.
    return join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  } catch {
    return undefined;
  }
}

const tsc = findCompiler();
if (tsc) {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
    cwd: root,
  });
} else if (existsSync(join(root, 'dist', 'src', 'bin', 'start.js'))) {
  process.stderr.write(
    'prepare: no TypeScript compiler (devDependencies omitted); keeping the existing dist/\n',
  );
} else {
  process.stderr.write(
    'prepare: dist/ is missing and there is no TypeScript compiler to build it (devDependencies omitted).\n' +
      'Run `npm ci` once with devDependencies (it builds dist/), then `npm prune --omit=dev`.\n',
  );
}
