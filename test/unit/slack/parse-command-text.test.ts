import { describe, expect, it } from 'vitest';
import { parseCommandText } from '../../../src/slack/messages/command-replies.ts';

describe('parseCommandText', () => {
  it('treats empty text as help', () => {
    expect(parseCommandText('   ')).toEqual({ command: 'help', args: [] });
  });

  it('reads commands case-insensitively and tolerates extra whitespace', () => {
    expect(parseCommandText('  HeLp  ')).toEqual({ command: 'help', args: [] });
    expect(parseCommandText('presets')).toEqual({ command: 'presets', args: [] });
  });

  it('opens build with no argument or one preset or image, kept as typed', () => {
    expect(parseCommandText('build')).toEqual({ command: 'build', args: [] });
    expect(parseCommandText('build \t quay.io/Org/App:V1 ')).toEqual({
      command: 'build',
      args: ['quay.io/Org/App:V1'],
    });
    expect(parseCommandText('build a b')).toEqual({
      error: expect.stringMatching(/takes one preset name or image/),
    });
  });

  it('normalises the build id of status, cancel and retry', () => {
    expect(parseCommandText('status B7K2M9QXZ')).toEqual({ command: 'status', args: ['b7k2m9qxz'] });
    expect(parseCommandText('cancel b7k2m9qxz')).toEqual({ command: 'cancel', args: ['b7k2m9qxz'] });
    expect(parseCommandText('retry bOOOOOOO1')).toEqual({ command: 'retry', args: ['b00000001'] });
  });

  it('asks for a build id when it is missing, wrong or followed by more', () => {
    expect(parseCommandText('status')).toEqual({
      error: 'status needs a build id, e.g. /bootc-iso status b7k2m9qxz',
    });
    expect(parseCommandText('cancel 1234')).toEqual({
      error: expect.stringMatching(/^"1234" is not a build id/),
    });
    expect(parseCommandText('retry b7k2m9qxz now')).toEqual({
      error: expect.stringMatching(/takes one build id/),
    });
  });

  it('lists mine by default, or channel or all', () => {
    expect(parseCommandText('list')).toEqual({ command: 'list', args: ['mine'] });
    expect(parseCommandText('list ALL')).toEqual({ command: 'list', args: ['all'] });
    expect(parseCommandText('list channel')).toEqual({ command: 'list', args: ['channel'] });
    expect(parseCommandText('list everything')).toEqual({
      error: expect.stringMatching(/mine, channel, all/),
    });
  });

  it('names an unknown command and points at help', () => {
    expect(parseCommandText('deploy prod')).toEqual({
      error: 'unknown command "deploy"; see /bootc-iso help',
    });
  });

  it('refuses control characters and over-long text', () => {
    expect(parseCommandText('status b7k2m9qxz\u0000')).toEqual({
      error: expect.stringContaining('U+0000 (NUL)'),
    });
    expect(parseCommandText('build \u202equay.io/x:1')).toEqual({ error: expect.stringContaining('U+202E') });
    expect(parseCommandText(`build ${'x'.repeat(2001)}`)).toEqual({
      error: expect.stringMatching(/at most 2000/),
    });
  });

  it('refuses arguments to presets', () => {
    expect(parseCommandText('presets all')).toEqual({ error: expect.stringMatching(/takes no arguments/) });
  });
});
