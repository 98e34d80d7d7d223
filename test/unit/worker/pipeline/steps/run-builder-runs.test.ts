import { describe, expect, it } from 'vitest';
import { runPaths, runsToMake } from '../../../../../workers/pipeline/steps/run-builder.ts';
import { request } from '../support.ts';

const paths = {
  root: '/w/b/attempt-1',
  authFile: '/w/b/attempt-1/auth.json',
  configToml: '/w/b/attempt-1/config.toml',
  outputDir: '/w/b/attempt-1/output',
  buildLog: '/w/b/attempt-1/build.log',
};

describe('run-builder runs', () => {
  it('plans the runs of the types asked for, less those an identical build already answered', () => {
    const req = request({ type: 'iso', types: ['iso', 'qcow2', 'vhd'] });
    expect(runsToMake({ request: req, state: {} }).map((r) => r.types)).toEqual([['iso'], ['qcow2', 'vhd']]);
    const reusedImages = [
      { role: 'image' as const, type: 'iso' as const, key: 'k', filename: 'f', size: 1, sha256: 's' },
    ];
    expect(runsToMake({ request: req, state: { reusedImages } })).toEqual([
      { index: 1, family: 'disk', types: ['qcow2', 'vhd'] },
    ]);
  });

  it('gives the first run the attempt paths and each later run a config and output of its own', () => {
    expect(runPaths(paths, { index: 1, family: 'iso', types: ['iso'] })).toBe(paths);
    expect(runPaths(paths, { index: 2, family: 'disk', types: ['raw'] })).toEqual({
      ...paths,
      configToml: '/w/b/attempt-1/config-2.toml',
      outputDir: '/w/b/attempt-1/output-2',
    });
  });
});
