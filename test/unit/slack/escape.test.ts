import { describe, expect, it } from 'vitest';
import { codeBlock, escapeMrkdwn, inlineCode, mrkdwn, truncate } from '../../../src/slack/escape.ts';

describe('escapeMrkdwn', () => {
  it('turns &, < and > into entities so input cannot become a mention or a link', () => {
    expect(escapeMrkdwn('<!channel> & <https://x.example|y>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://x.example|y&gt;',
    );
  });

  it('escapes an existing entity again so it shows as typed', () => {
    expect(escapeMrkdwn('&lt;')).toBe('&amp;lt;');
  });
});

describe('truncate', () => {
  it('leaves text within the limit alone', () => {
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('ends cut text with an ellipsis and never exceeds the limit', () => {
    const out = truncate('abcdefgh', 5);
    expect(out).toBe('abcd…');
    expect(out.length).toBe(5);
  });

  it('counts UTF-16 units and does not split a surrogate pair', () => {
    const out = truncate('🚀🚀🚀', 4);
    expect(out.length).toBeLessThanOrEqual(4);
    expect(out).toBe('🚀…');
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('returns nothing for a limit of zero or less', () => {
    expect(truncate('abc', 0)).toBe('');
  });
});

describe('mrkdwn', () => {
  it('does not leave half an entity where it cuts', () => {
    const out = mrkdwn('ab<<<<', 6);
    expect(out.length).toBeLessThanOrEqual(6);
    expect(out).toBe('ab…');
  });
});

describe('inlineCode', () => {
  it('neutralises backticks so the code span cannot be closed early', () => {
    expect(inlineCode('a`b')).toBe('`aˋb`');
  });
});

describe('codeBlock', () => {
  it('fences escaped lines', () => {
    expect(codeBlock(['<!channel>', 'ok'], 100)).toBe('```\n&lt;!channel&gt;\nok\n```');
  });

  it('returns nothing for no lines, since Slack refuses empty texts', () => {
    expect(codeBlock([], 3000)).toBe('');
  });

  it('keeps the last lines of a long log within the limit and says how many were left out', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `line ${i} \`\`\` <!here>`);
    const out = codeBlock(lines, 2900);
    expect(out.length).toBeLessThanOrEqual(2900);
    expect(out).toContain('line 9999');
    expect(out).not.toContain('line 0 ');
    expect(out).toMatch(/^```\n… \d+ earlier lines not shown\n/);
    expect(out.slice(3, -3)).not.toContain('`');
    expect(out).not.toContain('<!here>');
  });

  it('keeps the end of a single line longer than the limit', () => {
    const out = codeBlock([`${'x'.repeat(100_000)}END`], 500);
    expect(out.length).toBeLessThanOrEqual(500);
    expect(out).toContain('END\n```');
  });

  it('strips ANSI colours and control characters from tool output', () => {
    expect(codeBlock(['\u001b[31mred\u001b[0m\u0000\ttab'], 100)).toBe('```\nred\ttab\n```');
  });
});
