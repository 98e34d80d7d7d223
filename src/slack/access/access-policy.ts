import { type Access, type AccessRule, isOpenRule } from '../../config/access-schema.ts';

/** The person asking, with the (configured) user groups they belong to. */
export interface Who {
  userId: string;
  channelId: string;
  groups: readonly string[];
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOW: Decision = { allowed: true };

export function matchesRule(rule: AccessRule | undefined, who: Who): boolean {
  if (isOpenRule(rule) || !rule) return true;
  return (
    rule.users.includes(who.userId) ||
    rule.channels.includes(who.channelId) ||
    rule.userGroups.some((group) => who.groups.includes(group))
  );
}

/** Whether `who` may build this: the build rule, then the preset's or the typed image's registry rule. */
export function mayBuild(access: Access, who: Who, target: { preset?: string; registry?: string }): Decision {
  if (!matchesRule(access.build, who)) {
    return {
      allowed: false,
      reason: 'You are not allowed to build ISOs here; ask an admin to add you or this channel.',
    };
  }
  if (target.preset !== undefined && !matchesRule(access.presets[target.preset], who)) {
    return {
      allowed: false,
      reason: `You may not build the preset "${target.preset}"; pick another preset.`,
    };
  }
  if (target.preset === undefined && target.registry !== undefined) {
    if (!matchesRule(access.registries[target.registry], who)) {
      return {
        allowed: false,
        reason: `You may not build images from ${target.registry}; pick a preset instead.`,
      };
    }
  }
  return ALLOW;
}

/** Derived images: only people the `containerfiles` rule names may supply a Containerfile (empty = nobody). */
export function maySupplyContainerfile(access: Access, who: Who): Decision {
  if (!isOpenRule(access.containerfiles) && matchesRule(access.containerfiles, who)) return ALLOW;
  return {
    allowed: false,
    reason:
      'You may not supply a Containerfile here; pick a preset, or ask an admin to add you to access.containerfiles.',
  };
}

export function isAdmin(access: Access, who: Who): boolean {
  const admins = access.admins;
  if (admins.users.length === 0 && admins.userGroups.length === 0) return false;
  return admins.users.includes(who.userId) || admins.userGroups.some((group) => who.groups.includes(group));
}

/** Cancel and retry: the requester, or a configured admin. */
export function mayChangeBuild(access: Access, who: Who, requester: string | undefined): Decision {
  if (requester === who.userId || isAdmin(access, who)) return ALLOW;
  const owner = requester ? `<@${requester}>, who requested it,` : 'the person who requested it';
  return { allowed: false, reason: `Only ${owner} or an admin can do that.` };
}

/** The user groups any rule mentions: only these are ever looked up. */
export function configuredGroups(access: Access): string[] {
  const rules = [
    access.build,
    access.admins,
    ...Object.values(access.presets),
    ...Object.values(access.registries),
    access.containerfiles,
  ];
  return [...new Set(rules.flatMap((rule) => rule.userGroups))];
}
