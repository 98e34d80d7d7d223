import { describe, expect, it } from 'vitest';
import { parseJobArgs } from '../../../src/cli/job-command.ts';
import { stripTerminalControls } from '../../../src/cli/terminal-safe.ts';

const ESC = '\u001b';

describe('build logs printed to a terminal', () => {
  it('lose escape sequences and control characters but keep the text, tabs and newlines', () => {
    const hostile = [
      `${ESC}]0;owned title${'\u0007'}pipeline 1`,
      `${ESC}[2J${ESC}[1;1Hcleared screen`,
      `${ESC}]8;;https://evil.example${ESC}\\link${ESC}]8;;${ESC}\\`,
      `${ESC}P+q544e${ESC}\\device query`,
      `${ESC}[31mred${ESC}[0m\tcolumn`,
      'progress 10%\rprogress 100%',
      `bidi \u202eevil\u202c text, bell${'\u0007'}, C1 \u009b31m`,
    ].join('\r\n');
    const safe = stripTerminalControls(hostile);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking that none are left
    expect(safe).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(safe.split('\n')).toEqual([
      'pipeline 1',
      'cleared screen',
      'link',
      'device query',
      'red\tcolumn',
      'progress 10%progress 100%',
      'bidi evil text, bell, C1 31m',
    ]);
  });

  it('are printed byte for byte with --raw, which goes with --logs only', () => {
    expect(parseJobArgs(['b7k2m9qxz', '--logs', '--raw']).raw).toBe(true);
    expect(parseJobArgs(['b7k2m9qxz', '--logs']).raw).toBe(false);
    expect(() => parseJobArgs(['b7k2m9qxz', '--raw'])).toThrow('--raw goes with --logs');
  });
});
