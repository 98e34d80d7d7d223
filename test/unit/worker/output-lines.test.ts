import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE_CHARS } from '../../../workers/output-lines.ts';
import { createPodman } from '../../../workers/podman.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'output-lines-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('line splitter', () => {
  it('splits chunks at newlines across chunk borders, with CRLF and a last line without newline', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('a\nb');
    s.push('c\r\n');
    s.push(Buffer.from('dé'));
    s.end();
    expect(lines).toEqual(['a', 'bc', 'dé']);
  });

  it('cuts a line longer than the cap and drops the rest of it, keeping the next line whole', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), 10);
    s.push('x'.repeat(25));
    s.push('y'.repeat(25));
    s.push('\nnext\n');
    expect(lines).toEqual(['xxxxxxxxxx [line cut at 10 characters]', 'next']);
  });

  it('keeps the default cap at 16 KiB', () => {
    expect(MAX_LINE_CHARS).toBe(16 * 1024);
  });
});

describe('builder output through podman.runContainer', () => {
  it('arrives line by line while the builder still runs (streamed, not buffered), with long lines capped', async () => {
    const go = join(dir, 'go');
    const script = join(dir, 'podman');
    // Writes a line, then waits until the test has seen it; then writes 1 MiB without a newline and a last line.
    await writeFile(
      script,
      `#!/bin/sh
echo first
while [ ! -e "${go}" ]; do sleep 0.05; done
head -c 1048576 /dev/zero | tr '\\0' 'z'
echo
echo last
`,
    );
    await chmod(script, 0o755);
    const podman = createPodman(script, pino({ level: 'silent' }), { env: { PATH: '/usr/bin:/bin' } });
    const lines: string[] = [];
    const result = await podman.runContainer(['run'], {
      containerName: 'c',
      timeoutMs: 30_000,
      onLine: (line) => {
        lines.push(line);
        if (line === 'first') void writeFile(go, '');
      },
    });
    expect(result.exitCode).toBe(0);
    // "first" was seen before the script could go on: it was delivered while the process ran.
    await stat(go);
    expect(lines[0]).toBe('first');
    expect(lines[1]?.length).toBeLessThan(MAX_LINE_CHARS + 64);
    expect(lines[1]).toMatch(/\[line cut at 16384 characters\]$/);
    expect(lines.at(-1)).toBe('last');
  });
});
