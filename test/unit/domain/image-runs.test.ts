import { describe, expect, it } from 'vitest';
import { planRuns, requestedTypes } from '../../../src/domain/image-runs.ts';

describe('planRuns', () => {
  it('puts every disk type in one run and each ISO type in a run of its own, in the order asked', () => {
    expect(planRuns(['qcow2', 'iso', 'raw', 'anaconda-iso', 'gce'])).toEqual([
      { index: 1, family: 'disk', types: ['qcow2', 'raw', 'gce'] },
      { index: 2, family: 'iso', types: ['iso'] },
      { index: 3, family: 'iso', types: ['anaconda-iso'] },
    ]);
  });

  it('makes one run for disk types only and none for nothing', () => {
    expect(planRuns(['vmdk', 'vhd'])).toEqual([{ index: 1, family: 'disk', types: ['vmdk', 'vhd'] }]);
    expect(planRuns([])).toEqual([]);
  });
});

describe('requestedTypes', () => {
  it('is the list when given (each once), else the type alone', () => {
    expect(requestedTypes({ type: 'iso' })).toEqual(['iso']);
    expect(requestedTypes({ type: 'qcow2', types: ['qcow2', 'raw', 'qcow2'] })).toEqual(['qcow2', 'raw']);
  });
});
