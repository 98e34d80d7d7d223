import { type Access, type AccessRule, isOpenRule } from '../../config/access-schema.ts';
import { parseImageRef } from '../../domain/image-ref.ts';

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

/** What a request asks to build, as far as the rules care. */
export interface BuildTarget {
  preset?: string;
  /** The typed image's `host[:port]/repository`, without tag or digest. */
  repository?: string;
  /** Custom kickstart, users or kernel arguments the request sets (see custom-settings.ts). */
  customSettings?: readonly string[];
}

/** Whether `image` (with any tag or digest) names `repository`. */
function sameRepository(image: string, repository: string): boolean {
  return repositoryOf(image) === repository;
}

/** `host/repo` of an image reference, or undefined when it does not parse. */
export function repositoryOf(image: string): string | undefined {
  try {
    const ref = parseImageRef(image);
    return `${ref.registry}/${ref.repository}`;
  } catch {
    return undefined;
  }
}

/**
 * Whether `repository` falls under an allow-list entry or rule key: a host (`quay.io`) covers everything on it, a
 * prefix ending in `/` (`quay.io/myorg/`) everything under it, anything else that exact repository.
 */
export function coveredBy(repository: string, key: string): boolean {
  if (key.endsWith('/')) return repository.startsWith(key);
  if (!key.includes('/')) return repository.startsWith(`${key}/`);
  return repository === key;
}

/** The most specific `access.registries` rule for a repository (longest key), with its key. */
export function registryRuleFor(access: Access, repository: string): [string, AccessRule] | undefined {
  const keys = Object.keys(access.registries)
    .filter((key) => coveredBy(repository, key))
    .sort((a, b) => b.length - a.length);
  const key = keys[0];
  return key === undefined ? undefined : [key, access.registries[key] as AccessRule];
}

/** The presets whose image is this repository (any tag or digest): their rules govern typing it. */
export function presetsOf(presets: Record<string, { image: string }>, repository: string): string[] {
  return Object.entries(presets)
    .filter(([, preset]) => sameRepository(preset.image, repository))
    .map(([name]) => name);
}

export interface PolicyContext {
  presets: Record<string, { image: string }>;
  /** Registries the workers hold credentials for: typing images from them needs an explicit rule. */
  credentialRegistries: readonly string[];
}

/**
 * Whether `who` may build this: the build rule; for a preset its rule; for a typed image the rule of every preset
 * with that repository, the allow-list of repositories, and the most specific registry rule (which must exist when
 * the workers hold credentials for that registry: those are the operator's).
 */
export function mayBuild(access: Access, who: Who, target: BuildTarget, context?: PolicyContext): Decision {
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
  if ((target.customSettings ?? []).length > 0 && !matchesRule(access.customSettings, who)) {
    return {
      allowed: false,
      reason: `You may not set a custom ${target.customSettings?.join(', ')} here; leave them empty or ask an admin.`,
    };
  }
  if (target.preset !== undefined || target.repository === undefined) return ALLOW;
  const repository = target.repository;
  for (const preset of presetsOf(context?.presets ?? {}, repository)) {
    if (!matchesRule(access.presets[preset], who)) {
      return {
        allowed: false,
        reason: `You may not build ${repository}: it is the image of the preset "${preset}", which you may not build.`,
      };
    }
  }
  const listed = access.typedImages;
  if (listed !== 'any' && !listed.some((prefix) => coveredBy(repository, prefix))) {
    return {
      allowed: false,
      reason: `Typed images may only come from ${listed.join(', ')}; pick a preset instead.`,
    };
  }
  const rule = registryRuleFor(access, repository);
  const host = repository.slice(0, repository.indexOf('/'));
  if (!rule && context?.credentialRegistries.includes(host)) {
    return {
      allowed: false,
      reason: `Images from ${host} can only be built from presets here; pick a preset instead.`,
    };
  }
  if (rule && !matchesRule(rule[1], who)) {
    return {
      allowed: false,
      reason: `You may not build images from ${rule[0]}; pick a preset instead.`,
    };
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
    access.customSettings,
    ...Object.values(access.presets),
    ...Object.values(access.registries),
    access.containerfiles,
  ];
  const approvers = rules.flatMap((rule) =>
    'approval' in rule ? (rule.approval?.approvers.userGroups ?? []) : [],
  );
  return [...new Set([...rules.flatMap((rule) => rule.userGroups), ...approvers])];
}
