import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_DOCS } from '../../../scripts/config-docs/env-docs.ts';
import { FILE_DOCS } from '../../../scripts/config-docs/file-docs.ts';
import { envVariables, fileFields, renderConfigDocs } from '../../../scripts/config-docs/render.ts';

const committed = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

describe('docs/configuration.md', () => {
  it('is what `npm run docs:config` generates from the schemas today (run it after changing a schema)', () => {
    expect(committed).toBe(renderConfigDocs());
  });

  it('covers every environment variable src/config reads and every field of the YAML schema', () => {
    expect(envVariables()).toEqual(
      expect.arrayContaining(['REDIS_URL', 'SLACK_BOT_TOKEN', 'DATA_DIR', 'PORT']),
    );
    expect(Object.keys(ENV_DOCS).sort()).toEqual(envVariables());
    expect(Object.keys(FILE_DOCS).sort()).toEqual(
      fileFields()
        .map((f) => f.path)
        .sort(),
    );
    for (const name of envVariables()) expect(committed, name).toContain(`\`${name}\``);
  });

  it('shows types, limits and defaults read from the zod schema', () => {
    const row = (field: string) =>
      committed
        .split('\n')
        .find((line) => line.startsWith(`| \`${field}\` `))
        ?.split('|')
        .slice(2, 4)
        .map((cell) => cell.trim());
    expect(row('worker.concurrency')).toEqual(['whole number 1–32', '`1`']);
    expect(row('worker.timeouts.buildSeconds')).toEqual(['whole number 1–604800', '`3600`']);
    expect(row('presets')?.[1]).toMatch(/^`rhel9`: `registry\.redhat\.io\/rhel9\/rhel-bootc:9\.7`<br>/);
  });
});
