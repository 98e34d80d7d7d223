import { describe, expect, it } from 'vitest';
import { applyPresetDefaults, isOwnContainerfile } from '../../../src/domain/preset-defaults.ts';

const IMAGE = 'quay.io/org/os:1';
const disks = { image: IMAGE, types: ['qcow2', 'raw'] as const, packages: ['tmux', 'git'] };

describe('applyPresetDefaults', () => {
  it('builds an ISO when neither the person nor the preset names a type', () => {
    expect(applyPresetDefaults({ types: [] }, undefined)).toEqual({ type: 'iso' });
    expect(applyPresetDefaults({ types: [] }, { image: IMAGE })).toEqual({ type: 'iso' });
  });

  it("takes the preset's types when none was chosen, and its packages as a derived image of its own image", () => {
    expect(applyPresetDefaults({ types: [] }, disks)).toEqual({
      type: 'qcow2',
      types: ['qcow2', 'raw'],
      containerfile: `FROM ${IMAGE}\nRUN dnf install -y tmux git && dnf clean all\n`,
    });
  });

  it("keeps what the person chose over the preset's types and recipe", () => {
    const own = `FROM ${IMAGE}\nRUN true\n`;
    expect(applyPresetDefaults({ types: ['vmdk'], containerfile: own }, disks)).toEqual({
      type: 'vmdk',
      containerfile: own,
    });
    // A type asked for twice stays so: refusing it is the validator's job.
    expect(applyPresetDefaults({ types: ['raw', 'raw'] }, disks).types).toEqual(['raw', 'raw']);
  });

  it("prefers the preset's Containerfile to its package list", () => {
    const text = `FROM ${IMAGE}\nRUN touch /etc/x\n`;
    expect(applyPresetDefaults({ types: [] }, { ...disks, containerfileText: text }).containerfile).toBe(
      text,
    );
  });

  it('tells a Containerfile of the person’s own from the preset’s', () => {
    const fromPreset = applyPresetDefaults({ types: [] }, disks).containerfile;
    expect(isOwnContainerfile({ containerfile: fromPreset }, disks)).toBe(false);
    expect(isOwnContainerfile({ containerfile: `FROM ${IMAGE}\n` }, disks)).toBe(true);
    expect(isOwnContainerfile({ containerfile: `FROM ${IMAGE}\n` }, undefined)).toBe(true);
    expect(isOwnContainerfile({}, disks)).toBe(false);
  });
});
