import type { BuildRequestInput } from '../../domain/build-request.ts';

/**
 * The settings that change what an installed machine trusts (a kickstart runs as root during installation, users
 * and SSH keys give logins, kernel arguments can turn off security features). Builds that use them can be limited
 * to some people, and their status message says so, so that reviewers in the channel see it.
 */
export function customSettingsUsed(customizations: BuildRequestInput['customizations']): string[] {
  const used: string[] = [];
  if ((customizations?.kickstart ?? '').trim() !== '') used.push('kickstart');
  if ((customizations?.users ?? []).length > 0) used.push('users');
  if ((customizations?.kernelAppend ?? '').trim() !== '') used.push('kernel arguments');
  return used;
}
