import { describe, expect, it } from 'vitest';
import { ConfigFile } from '../../../src/config/file-schema.ts';
import { isRhelSource, requiredCapabilities } from '../../../src/domain/capabilities.ts';

const config = ConfigFile.parse({});
const policy = { builders: config.builders, presets: config.presets };
const build = (over: Partial<Parameters<typeof requiredCapabilities>[0]>) => ({
  type: 'iso' as const,
  source: 'registry.redhat.io/rhel9/rhel-bootc:9.7',
  preset: 'rhel9',
  builder: { name: 'rhel9', image: 'registry.redhat.io/rhel9/bootc-image-builder:9.7' },
  ...over,
});

describe('what a build needs of its host', () => {
  it('RHEL presets need an entitled host for iso and anaconda-iso, not for bootc-installer', () => {
    expect(requiredCapabilities(build({}), policy)).toEqual(['rhel-entitlement']);
    expect(
      requiredCapabilities(build({ preset: 'rhel10', source: config.presets.rhel10?.image ?? '' }), policy),
    ).toEqual(['rhel-entitlement']);
    expect(requiredCapabilities(build({ type: 'anaconda-iso' }), policy)).toEqual(['rhel-entitlement']);
    expect(requiredCapabilities(build({ type: 'bootc-installer' }), policy)).toEqual([]);
  });

  it('CentOS needs nothing, even with the RHEL builder', () => {
    const source = config.presets['centos-stream9']?.image ?? '';
    expect(requiredCapabilities(build({ preset: 'centos-stream9', source }), policy)).toEqual([]);
    expect(requiredCapabilities(build({ preset: undefined, source: 'quay.io/me/os:1' }), policy)).toEqual([]);
  });

  it('a custom RHEL image needs it too; a preset may opt out with requires: [] or in on any image', () => {
    expect(
      requiredCapabilities(
        build({ preset: undefined, source: 'registry.redhat.io/rhel10/rhel-bootc:10.0' }),
        policy,
      ),
    ).toEqual(['rhel-entitlement']);
    const marked = {
      builders: { b: {} },
      presets: {
        off: { image: 'registry.redhat.io/rhel9/rhel-bootc:9.7', requires: [] },
        on: { image: 'quay.io/mirror/rhel:9', requires: ['rhel-entitlement' as const] },
      },
    };
    const b = { name: 'b', image: 'quay.io/b:1' };
    expect(requiredCapabilities(build({ preset: 'off', builder: b }), marked)).toEqual([]);
    expect(
      requiredCapabilities(build({ preset: 'on', source: 'quay.io/mirror/rhel:9', builder: b }), marked),
    ).toEqual(['rhel-entitlement']);
  });

  it('a builder marked requires routes every iso it builds', () => {
    const marked = { builders: { b: { requires: ['rhel-entitlement' as const] } } };
    const b = { name: 'b', image: 'quay.io/b:1' };
    expect(
      requiredCapabilities(build({ preset: undefined, source: 'quay.io/me/os:1', builder: b }), marked),
    ).toEqual(['rhel-entitlement']);
  });

  it('knows RHEL sources by registry and repository', () => {
    expect(isRhelSource('registry.redhat.io/rhel9/rhel-bootc:9.7')).toBe(true);
    expect(isRhelSource('registry.redhat.io/ubi9/ubi:9')).toBe(false);
    expect(isRhelSource('quay.io/rhel9/rhel-bootc:9')).toBe(false);
    expect(isRhelSource('not a ref')).toBe(false);
  });

  it('the config accepts requires on presets and builders and capabilities on the worker, and nothing else there', () => {
    const parsed = ConfigFile.parse({
      builders: { b: { image: 'quay.io/b:1', requires: ['rhel-entitlement'] } },
      defaultBuilder: 'b',
      presets: { p: { image: 'quay.io/p:1', builder: 'b', requires: [] } },
      worker: { capabilities: ['rhel-entitlement'] },
    });
    expect(parsed.worker.capabilities).toEqual(['rhel-entitlement']);
    expect(ConfigFile.safeParse({ worker: { capabilities: ['gpu'] } }).success).toBe(false);
  });
});
