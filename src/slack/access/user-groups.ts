import type { WebClient } from '@slack/web-api';

/**
 * Which of the configured user groups a person is in, from usergroups.users.list (scope usergroups:read), cached
 * so that a modal submission stays well inside Slack's 3-second deadline. Fails closed: an error means "no groups".
 */
export function createGroupResolver(
  client: Pick<WebClient, 'usergroups'>,
  groups: readonly string[],
  options: { ttlMs?: number; timeoutMs?: number; now?: () => number } = {},
) {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { members: Set<string>; at: number }>();

  async function members(group: string): Promise<Set<string>> {
    const cached = cache.get(group);
    if (cached && now() - cached.at < ttlMs) return cached.members;
    const result = await client.usergroups.users.list({ usergroup: group });
    const fresh = { members: new Set(result.users ?? []), at: now() };
    cache.set(group, fresh);
    return fresh.members;
  }

  return async function groupsOf(userId: string): Promise<string[]> {
    if (groups.length === 0) return [];
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('user group lookup timed out')), options.timeoutMs ?? 1500).unref(),
    );
    const lookups = Promise.all(groups.map(async (g) => ((await members(g)).has(userId) ? [g] : [])));
    return (await Promise.race([lookups, timeout])).flat();
  };
}
