import { describe, expect, it } from 'vitest';
import { parseGlobalArgs } from '../../../src/cli/global-args.ts';

describe('parseGlobalArgs', () => {
  it('takes --config-file out wherever it stands, in both spellings', () => {
    expect(parseGlobalArgs(['--config-file', 'a.yaml', 'jobs', '--json'])).toEqual({
      configFile: 'a.yaml',
      version: false,
      rest: ['jobs', '--json'],
    });
    expect(parseGlobalArgs(['build', '--preset', 'x', '--config-file=b.yaml']).configFile).toBe('b.yaml');
  });

  it("leaves the build command's own --config (a config.toml) alone", () => {
    expect(parseGlobalArgs(['build', '--config', 'c.toml']).rest).toEqual(['build', '--config', 'c.toml']);
  });

  it('refuses --config-file without a value, or twice', () => {
    expect(() => parseGlobalArgs(['--config-file'])).toThrow(/needs a file name/);
    expect(() => parseGlobalArgs(['--config-file', '--json'])).toThrow(/needs a file name/);
    expect(() => parseGlobalArgs(['--config-file=a', '--config-file=b'])).toThrow(/twice/);
  });

  it('sees --version and -V in the command position only', () => {
    expect(parseGlobalArgs(['--version']).version).toBe(true);
    expect(parseGlobalArgs(['-V']).version).toBe(true);
    expect(parseGlobalArgs(['jobs', '--version']).version).toBe(false);
  });

  it('stops at --', () => {
    expect(parseGlobalArgs(['cancel', '--', '--config-file']).rest).toEqual([
      'cancel',
      '--',
      '--config-file',
    ]);
  });
});
