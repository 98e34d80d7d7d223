import { type Customizations, LIMITS, type UserCustomization } from './build-request.ts';
import type { AppError } from './errors.ts';
import { labelFor } from './request-fields.ts';
import {
  invalidRequest,
  multiLineProblem,
  normaliseNewlines,
  quoteForMessage,
  singleLineProblem,
} from './text-rules.ts';
import { type HashOptions, passwordHashProblem, sshKeyProblem } from './user-credentials.ts';

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
/** The builder's own volume id rule (word characters and "-"), within ISO 9660's 32 characters. */
export const VOLUME_ID = /^[A-Za-z0-9_-]{1,32}$/;

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

/**
 * The installer always writes `rootpw --lock`: a root password would never work, while an SSH key for root does.
 * A root entry is therefore only its key.
 */
function checkRoot(user: UserCustomization, at: string, report: Report): void {
  const label = labelFor(`${at}.name`);
  if (user.passwordHash !== undefined) {
    problem(
      report,
      `${at}.passwordHash`,
      `${labelFor(`${at}.passwordHash`)}: root is locked by the installer (rootpw --lock), so a root password never works; give root an SSH key, or put the password on a normal user in the wheel group`,
    );
  }
  if (user.sshKeys.length === 0) {
    problem(
      report,
      `${at}.name`,
      `${label}: root is locked by the installer (rootpw --lock); only an SSH key lets root log in: add one, or add a normal user in the wheel group`,
    );
  }
  if (user.groups.length > 0) {
    problem(
      report,
      `${at}.groups`,
      `${labelFor(`${at}.groups`)}: root's groups cannot be changed; remove them`,
    );
  }
}

function checkUser(user: UserCustomization, i: number, report: Report, opts: HashOptions): UserCustomization {
  const at = `customizations.users[${i}]`;
  problem(report, `${at}.name`, nameProblem(user.name, labelFor(`${at}.name`), 'user'));
  if (user.name === 'root') checkRoot(user, at, report);
  else if (user.passwordHash !== undefined) {
    problem(
      report,
      `${at}.passwordHash`,
      passwordHashProblem(user.passwordHash, labelFor(`${at}.passwordHash`), opts),
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

function checkUsers(users: UserCustomization[], report: Report, opts: HashOptions): UserCustomization[] {
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
    return checkUser(user, i, report, opts);
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
  // osbuild writes the arguments as bootloader --append='…' (older releases used double quotes): a quote of either
  // kind ends the option early and breaks the kickstart at install time.
  const quote = [...value].find((ch) => ch === "'" || ch === '"');
  if (quote !== undefined)
    problem(
      report,
      field,
      `kernel arguments: remove the quotes (${quote}): the installer's kickstart puts the arguments in quotes, and this one would end them early`,
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

function checkVolumeId(volumeId: string, report: Report): void {
  const field = 'customizations.iso.volumeId';
  const label = labelFor(field);
  const basic = singleLineProblem(volumeId, label, LIMITS.volumeId);
  if (basic) problem(report, field, basic);
  else if (volumeId === '')
    problem(report, field, `${label} is empty; leave it out to get the default label`);
  else if (!VOLUME_ID.test(volumeId)) {
    const index = volumeId.search(/[^A-Za-z0-9_-]/);
    const ch = String.fromCodePoint(volumeId.codePointAt(index) ?? 0);
    const why =
      ch === ' '
        ? ' (the label goes on the kernel command line in boot/grub.cfg, where a space breaks booting)'
        : '';
    problem(
      report,
      field,
      `${label}: ${quoteForMessage(ch)} at character ${index + 1} is not allowed (bootc-image-builder refuses it as an invalid volume id); use only letters A-Z and a-z, digits, "_" and "-"${why}`,
    );
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

/**
 * Applies every customization rule that does not depend on the builder, reporting each problem; returns the
 * normalised customizations. `opts` says which password hashes the build's builder keeps.
 */
export function checkCustomizations(
  c: Customizations,
  report: Report,
  opts: HashOptions = {},
): Customizations {
  const users = checkUsers(c.users, report, opts);
  const out: Customizations = { ...c, users };
  if (c.kickstart !== undefined) out.kickstart = checkKickstart(c.kickstart, users.length > 0, report);
  if (c.kernelAppend !== undefined) checkKernelAppend(c.kernelAppend, report);
  if (c.iso) checkVolumeId(c.iso.volumeId, report);
  if (c.anacondaModules) checkModules(c.anacondaModules, report);
  return out;
}
