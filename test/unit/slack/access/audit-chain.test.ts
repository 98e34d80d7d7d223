import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { chainLine, GENESIS, lineHash, verifyChain } from '../../../../src/slack/access/audit-chain.ts';
import { createAuditLog } from '../../../../src/slack/access/audit-log.ts';

function chain(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++)
    lines.push(chainLine({ who: `U${i}`, action: 'build', allowed: true }, lines.at(-1)));
  return lines;
}

describe("a build's hash-chained audit lines", () => {
  it('start from the genesis hash and carry the hash of the line before', () => {
    const lines = chain(3);
    expect(JSON.parse(lines[0] ?? '').prev).toBe(GENESIS);
    expect(JSON.parse(lines[2] ?? '').prev).toBe(lineHash(lines[1] ?? ''));
    expect(verifyChain(lines.join(''))).toEqual({ ok: true, lines: 3 });
  });

  it('show an edited, removed, reordered or forged line, naming where', () => {
    const lines = chain(4);
    const edited = [...lines];
    edited[1] = (edited[1] ?? '').replace('"allowed":true', '"allowed":false');
    expect(verifyChain(edited.join(''))).toMatchObject({ ok: false, line: 3 });
    expect(verifyChain([lines[0], lines[2], lines[3]].join(''))).toMatchObject({ ok: false, line: 2 });
    expect(verifyChain([lines[1], lines[0]].join(''))).toMatchObject({ ok: false, line: 1 });
    expect(verifyChain(`${lines.join('')}not json\n`)).toMatchObject({ ok: false, line: 5 });
    expect(verifyChain('')).toMatchObject({ ok: false });
    let caught = 0;
    for (let i = 0; i < lines.length; i++) {
      const changed = [...lines];
      changed[i] = (changed[i] ?? '').replace(/"who":"U\d"/, '"who":"UEVIL"');
      // The last line has no successor to vouch for it, unless its hash is compared with a kept head; every other
      // edit breaks the chain.
      if (!verifyChain(changed.join('')).ok) caught++;
    }
    expect(caught).toBe(lines.length - 1);
  });
});

describe('audit file writes', () => {
  it('retry a failed write instead of remembering the failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-retry-'));
    // The log's directory is a file at first: mkdir fails until it is removed.
    const blocker = join(dir, 'logs');
    await writeFile(blocker, 'in the way');
    const audit = createAuditLog({
      file: join(blocker, 'audit.jsonl'),
      logger: pino({ level: 'silent' }),
      retryDelayMs: 50,
    });
    await expect(audit({ who: 'U1', action: 'build', allowed: false })).rejects.toThrow();
    await rm(blocker);
    await audit({ who: 'U2', action: 'build', allowed: false });
    const text = await readFile(join(blocker, 'audit.jsonl'), 'utf8');
    expect(text).toContain('"who":"U2"');
    await rm(dir, { recursive: true, force: true });
  });
});
