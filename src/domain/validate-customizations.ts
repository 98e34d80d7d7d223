import { type Customizations, LIMITS, type UserCustomization } from './build-request.ts';
import type { AppError } from './errors.ts';
import { labelFor } from './request-fields.ts';
import {
  invalidRequest,
  multiLineProblem,
  normaliseNewlines,
  printableAsciiProblem,
  quoteForMessage,
  singleLineProblem,
} from './text-rules.ts';
import { passwordHashProblem, sshKeyProblem } from './user-credentials.ts';

/** Known Anaconda D-Bus modules; BIB passes these names through unchecked and a typo stops Anaconda from starting. */
export const ANACONDA_MODULES = [
  'Localization',
  'Network',
  'Payloads',
  'Runtime',
  'Security',
  'Services',
  'Storage',
  'Subscription',
  'Timezone',
  'Users',
].map((m) => `org.fedoraproject.Anaconda.Modules.${m}`);

const NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const VOLUME_ID = /^[A-Z0-9_.-]+$/;

/**
 * One key per user: the blueprint `key` is a single string that osbuild writes verbatim into
 * `sshkey --username NAME "KEY"`, so keys joined with a newline would break the kickstart (and could smuggle
 * kickstart commands into it). Users who need several keys write their own kickstart.
 */
export const MAX_SSH_KEYS_PER_USER = 1;

type Report = (error: AppError) => void;

function problem(report: Report, field: string, message: string | undefined): boolean {
  if (message) report(invalidRequest(field, message));
  return message === undefined;
}

function nameProblem(value: string, label: string, what: string): string | undefined {
  const basic = singleLineProblem(value, label, LIMITS.userName);
  if (basic) return basic;
  if (NAME.test(value)) return undefined;
  return `${label}: ${quoteForMessage(value, 40)} is not a valid ${what} name; use up to 32 lowercase letters, digits, "_" or "-", starting with a letter or "_"`;
}

function checkUser(user: UserCustomization, i: number, report: Report): UserCustomization {
  const at = `customizations.users[${i}]`;
  problem(report, `${at}.name`, nameProblem(user.name, labelFor(`${at}.name`), 'user'));
  if (user.name === 'root') {
    problem(
      report,
      `${at}.name`,
      `${labelFor(`${at}.name`)}: root is locked by the installer (rootpw --lock); add a normal user, e.g. with the wheel group`,
    );
  }
  if (user.passwordHash !== undefined) {
    problem(
      report,
      `${at}.passwordHash`,
      passwordHashProblem(user.passwordHash, labelFor(`${at}.passwordHash`)),
    );
  }
  const sshKeys = user.sshKeys.map((k) => k.trim());
  sshKeys.forEach((key, k) => {
    problem(report, `${at}.sshKeys[${k}]`, sshKeyProblem(key, labelFor(`${at}.sshKeys[${k}]`)));
  });
  if (sshKeys.length > MAX_SSH_KEYS_PER_USER) {
    problem(
      report,
      `${at}.sshKeys`,
      `${labelFor(`${at}.sshKeys`)}: bootc-image-builder takes one SSH key per user for installer ISOs; keep one, or write a kickstart with one \`sshkey --username=${user.name} "…"\` line per key`,
    );
  }
  user.groups.forEach((g, k) => {
    problem(report, `${at}.groups[${k}]`, nameProblem(g, labelFor(`${at}.groups[${k}]`), 'group'));
  });
  return { ...user, sshKeys };
}

function checkUsers(users: UserCustomization[], report: Report): UserCustomization[] {
  const seen = new Set<string>();
  return users.map((user, i) => {
    if (seen.has(user.name)) {
      problem(
        report,
        `customizations.users[${i}].name`,
        `${labelFor(`customizations.users[${i}].name`)}: ${quoteForMessage(user.name, 40)} is listed twice; keep one entry per user`,
      );
    }
    seen.add(user.name);
    return checkUser(user, i, report);
  });
}

function checkKickstart(raw: string, hasUsers: boolean, report: Report): string {
  const field = 'customizations.kickstart';
  const kickstart = normaliseNewlines(raw);
  if (!problem(report, field, multiLineProblem(kickstart, 'kickstart', LIMITS.kickstart))) return kickstart;
  if (kickstart.trim() === '') {
    problem(report, field, 'kickstart is empty; leave it out to let bootc-image-builder generate one');
  }
  const lines = kickstart.split('\n');
  const ostree = lines.findIndex((l) => /^\s*ostreecontainer(?:\s|$)/.test(l));
  if (ostree >= 0) {
    problem(
      report,
      field,
      `kickstart: remove the ostreecontainer line (line ${ostree + 1}); bootc-image-builder adds it and points it at the image embedded in the ISO`,
    );
  }
  if (hasUsers) {
    problem(
      report,
      field,
      'customizations.installer.kickstart.contents cannot be used with customizations.user or customizations.group: put the users in the kickstart (`user` and `sshkey` lines), or remove the kickstart',
    );
  }
  return kickstart;
}

function checkKernelAppend(value: string, report: Report): void {
  const field = 'customizations.kernelAppend';
  if (!problem(report, field, singleLineProblem(value, 'kernel arguments', LIMITS.kernelAppend))) return;
  // The arguments land inside a double-quoted kickstart option (bootloader --append="…").
  if (value.includes('"'))
    problem(
      report,
      field,
      'kernel arguments: remove the double quotes (") — they would end the quoted kickstart option the arguments are written into',
    );
  // pykickstart reads that option shell-style: a backslash escapes the next character, so a trailing one swallows
  // the closing quote and "\\" turns into one backslash.
  else if (value.includes('\\'))
    problem(
      report,
      field,
      'kernel arguments: remove the backslashes (\\) — inside the quoted kickstart option they escape the next character or the closing quote',
    );
}

function checkIso(iso: NonNullable<Customizations['iso']>, report: Report): void {
  if (iso.volumeId !== undefined) {
    const field = 'customizations.iso.volumeId';
    const label = labelFor(field);
    const basic = singleLineProblem(iso.volumeId, label, LIMITS.volumeId);
    if (basic) problem(report, field, basic);
    else if (iso.volumeId === '')
      problem(report, field, `${label} is empty; leave it out to get the default label`);
    else if (!VOLUME_ID.test(iso.volumeId)) {
      const index = iso.volumeId.search(/[^A-Z0-9_.-]/);
      const ch = String.fromCodePoint(iso.volumeId.codePointAt(index) ?? 0);
      const hint = /[a-z]/.test(ch)
        ? ` (use uppercase: ${quoteForMessage(iso.volumeId.toUpperCase(), 40)})`
        : '';
      const why =
        ch === ' '
          ? ' (the label goes on the kernel command line in boot/grub.cfg, where a space breaks booting)'
          : '';
      problem(
        report,
        field,
        `${label}: ${quoteForMessage(ch)} at character ${index + 1} is not allowed; use only A-Z, 0-9, "_", "-" and "."${hint}${why}`,
      );
    }
  }
  for (const key of ['applicationId', 'publisher'] as const) {
    const value = iso[key];
    const field = `customizations.iso.${key}`;
    if (value !== undefined)
      problem(report, field, printableAsciiProblem(value, labelFor(field), LIMITS.isoText));
  }
}

function moduleProblem(name: string, label: string): string | undefined {
  const basic = singleLineProblem(name, label, LIMITS.anacondaModuleName);
  if (basic) return basic;
  if (ANACONDA_MODULES.includes(name)) return undefined;
  const guess = ANACONDA_MODULES.find(
    (m) => m.toLowerCase() === name.toLowerCase() || m.toLowerCase().endsWith(`.${name.toLowerCase()}`),
  );
  const hint = guess ? `did you mean ${guess}? ` : '';
  return `${label}: unknown Anaconda module ${quoteForMessage(name, 80)} (a wrong name stops Anaconda from starting); ${hint}known modules: ${ANACONDA_MODULES.join(', ')}`;
}

function checkModules(modules: NonNullable<Customizations['anacondaModules']>, report: Report): void {
  for (const list of ['enable', 'disable'] as const) {
    modules[list].forEach((name, i) => {
      const field = `customizations.anacondaModules.${list}[${i}]`;
      problem(report, field, moduleProblem(name, labelFor(`customizations.anacondaModules.${list}`)));
    });
  }
  const both = modules.enable.filter((m) => modules.disable.includes(m));
  for (const name of new Set(both)) {
    problem(
      report,
      'customizations.anacondaModules',
      `Anaconda modules: ${name} is both enabled and disabled (disable wins); remove it from one list`,
    );
  }
}

/** Applies every customization rule, reporting each problem; returns the normalised customizations. */
export function checkCustomizations(c: Customizations, report: Report): Customizations {
  const users = checkUsers(c.users, report);
  const out: Customizations = { ...c, users };
  if (c.kickstart !== undefined) out.kickstart = checkKickstart(c.kickstart, users.length > 0, report);
  if (c.kernelAppend !== undefined) checkKernelAppend(c.kernelAppend, report);
  if (c.iso) checkIso(c.iso, report);
  if (c.anacondaModules) checkModules(c.anacondaModules, report);
  return out;
}
