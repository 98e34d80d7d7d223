import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildLog } from '../../../../workers/pipeline/build-log.ts';
import { tempDir } from './support.ts';

describe('build log', () => {
  it('writes commands quoted where needed, output line by line, and replaces secrets everywhere', async () => {
    const path = join(await tempDir(), 'build.log');
    const log = new BuildLog(path);
    log.addSecret('hunter2-secret');
    log.command(['podman', 'login', '--username', 'robot', 'it has spaces', "it's"]);
    log.output('line one\n\nline two with hunter2-secret\n');
    await log.flush();
    expect(await readFile(path, 'utf8')).toBe(
      "$ podman login --username robot 'it has spaces' 'it'\\''s'\nline one\nline two with ***\n",
    );
    await log.close();
    log.line('after close is dropped, not thrown');
    expect(await readFile(path, 'utf8')).not.toContain('after close');
  });
});
