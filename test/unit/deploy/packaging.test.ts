import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  license: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

describe('production packaging', () => {
  it('is licensed Apache-2.0, with the licence text', () => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(read('LICENSE')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(read('LICENSE')).toContain('END OF TERMS AND CONDITIONS');
  });

  it('runs compiled JavaScript from dist/: npm start, worker, bot, cli and the bin', () => {
    expect(pkg.scripts.start).toBe('node --enable-source-maps dist/src/bin/start.js');
    expect(pkg.scripts.worker).toBe('node --enable-source-maps dist/workers/main.js');
    expect(pkg.scripts.bot).toBe('node --enable-source-maps dist/src/bin/bot.js');
    expect(pkg.scripts.cli).toBe('node --enable-source-maps dist/src/bin/cli.js');
    expect(pkg.scripts.prepare).toBe('node scripts/prepare.js');
    expect(read('bin/bootc-iso.js')).toContain("'../dist/src/bin/cli.js'");
    expect(read('bin/bootc-iso.js')).not.toMatch(/tsx/);
  });

  it("compiles with tsc into dist/, rewriting the sources' .ts imports, with source maps", () => {
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: Record<string, unknown> };
    expect(build.compilerOptions).toMatchObject({
      noEmit: false,
      rewriteRelativeImportExtensions: true,
      sourceMap: true,
      outDir: 'dist',
    });
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    expect(read('.gitignore')).toMatch(/^dist\/$/m);
  });

  it('needs nothing from devDependencies at run time, so `npm ci --omit=dev` works (tsx is dev only)', () => {
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    const builtins = new Set(builtinModules);
    const wrong: string[] = [];
    const seen = new Set<string>();
    for (const file of [...sources('src'), ...sources('workers')]) {
      const text = read(file);
      // Value imports and dynamic imports; `import type` is erased by the compiler.
      for (const [, specifier] of text.matchAll(/^import (?!type )[^;]*? from '([^'.][^']*)';$/gms)) {
        const name = packageOf(specifier ?? '');
        seen.add(name);
        if (!name.startsWith('node:') && !builtins.has(name) && !pkg.dependencies[name])
          wrong.push(`${file}: ${name}`);
      }
      for (const [, specifier] of text.matchAll(/import\('([^'.][^']*)'\)/g)) {
        const name = packageOf(specifier ?? '');
        if (!name.startsWith('node:') && !pkg.dependencies[name]) wrong.push(`${file}: ${name}`);
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(['bullmq', 'ioredis', '@slack/bolt', 'zod', 'pino']));
    expect(wrong).toEqual([]);
  });
});
