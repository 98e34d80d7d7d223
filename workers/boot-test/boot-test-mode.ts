/**
 * Which boot test a build gets.
 * - `boot`: boot the ISO once and wait for the marker (the installer started).
 * - `install`: the kickstart installs unattended and powers the machine off, so the test lets it install onto a
 *   scratch disk, waits for the machine to power off, then boots that disk alone and waits for a login prompt.
 */
export type BootTestMode = 'boot' | 'install';

/** What the installer does when it has finished, by the kickstart's completion command. */
export type KickstartCompletion = 'poweroff' | 'reboot' | 'halt';

/**
 * The kickstart's completion command, if it has one. `poweroff` and `shutdown` both power the machine off; `halt`
 * stops it without powering off and `reboot` starts the installer again, so neither ends the install machine by
 * itself. Lines inside sections (`%pre`, `%post`, `%packages`, … up to `%end`) are scripts or package lists, not
 * commands; comments and blank lines are skipped. Of several completion commands the last counts, as for any
 * kickstart command given twice.
 */
export function kickstartCompletion(kickstart: string): KickstartCompletion | undefined {
  let inSection = false;
  let completion: KickstartCompletion | undefined;
  for (const raw of kickstart.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const word = line.split(/\s+/, 1)[0] ?? '';
    if (inSection) {
      if (word === '%end') inSection = false;
      continue;
    }
    // %include and %ksappend pull in commands; every other %word opens a section.
    if (word.startsWith('%')) {
      inSection = word !== '%include' && word !== '%ksappend';
      continue;
    }
    if (word === 'poweroff' || word === 'shutdown') completion = 'poweroff';
    else if (word === 'reboot') completion = 'reboot';
    else if (word === 'halt') completion = 'halt';
  }
  return completion;
}

/** A request whose kickstart powers the machine off after installing gets the install test; any other the boot test. */
export function bootTestMode(request: { customizations?: { kickstart?: string | undefined } }): BootTestMode {
  const kickstart = request.customizations?.kickstart;
  return kickstart !== undefined && kickstartCompletion(kickstart) === 'poweroff' ? 'install' : 'boot';
}
