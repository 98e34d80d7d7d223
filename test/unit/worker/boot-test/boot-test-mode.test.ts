import { describe, expect, it } from 'vitest';
import { bootTestMode, kickstartCompletion } from '../../../../workers/boot-test/boot-test-mode.ts';
import { endedWithoutPoweroff } from '../../../../workers/boot-test/run-install-test.ts';

describe("the kickstart's completion command", () => {
  it.each([
    ['text\npoweroff\n', 'poweroff'],
    ['shutdown', 'poweroff'],
    ['  poweroff --eject  ', 'poweroff'],
    ['reboot --eject', 'reboot'],
    ['halt', 'halt'],
    ['text\nlang en_US.UTF-8\n', undefined],
    // The last of several counts, as for any command given twice.
    ['reboot\npoweroff', 'poweroff'],
    ['poweroff\nreboot', 'reboot'],
  ])('%j → %s', (kickstart, expected) => {
    expect(kickstartCompletion(kickstart)).toBe(expected);
  });

  it('ignores comments and the insides of sections (scripts and package lists)', () => {
    expect(kickstartCompletion('# poweroff when done\ntext')).toBeUndefined();
    expect(kickstartCompletion('%post\npoweroff\n%end\nreboot')).toBe('reboot');
    expect(kickstartCompletion('%pre --interpreter=/bin/sh\nshutdown -h now\n%end\n')).toBeUndefined();
    expect(kickstartCompletion('%packages\nhalt\n%end\npoweroff')).toBe('poweroff');
  });

  it('reads commands after %include, which is not a section', () => {
    expect(kickstartCompletion('%include /tmp/part.ks\npoweroff')).toBe('poweroff');
  });

  it('does not take a word that only starts like a command', () => {
    expect(kickstartCompletion('poweroffnow\nshutdown-helper')).toBeUndefined();
  });
});

describe('which boot test a build gets', () => {
  it.each([
    [{}, 'boot'],
    [{ customizations: {} }, 'boot'],
    [{ customizations: { kickstart: 'text\nreboot' } }, 'boot'],
    [{ customizations: { kickstart: 'text\nhalt' } }, 'boot'],
    [{ customizations: { kickstart: 'text\npoweroff' } }, 'install'],
    [{ customizations: { kickstart: 'text\nshutdown' } }, 'install'],
  ] as const)('%j → %s', (request, expected) => {
    expect(bootTestMode(request)).toBe(expected);
  });
});

describe('how the install machine ended', () => {
  it('a kernel that panicked or restarted did not complete the installation; a power-off or a silent console may have', () => {
    expect(endedWithoutPoweroff('[ 3.1] Kernel panic - not syncing: Attempted to kill init!')).toBe(true);
    expect(endedWithoutPoweroff('[ 9.9] reboot: Restarting system')).toBe(true);
    expect(endedWithoutPoweroff('[ 3.9] reboot: Power down')).toBe(false);
    expect(endedWithoutPoweroff('')).toBe(false);
  });
});
