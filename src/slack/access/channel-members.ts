import type { WebClient } from '@slack/web-api';

/**
 * Whether a person is in a channel, from conversations.members (scopes channels:read and groups:read), cached
 * briefly so that `list channel` with twenty builds costs one look-up. Fails closed: a channel the bot cannot read
 * has no members as far as link visibility is concerned.
 */
export function createChannelMembers(
  client: Pick<WebClient, 'conversations'>,
  options: { ttlMs?: number; timeoutMs?: number; now?: () => number; maxPages?: number } = {},
) {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const maxPages = options.maxPages ?? 50;
  const cache = new Map<string, { members: Promise<Set<string>>; at: number }>();

  async function fetchMembers(channel: string): Promise<Set<string>> {
    const members = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const result = await client.conversations.members({
        channel,
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      for (const id of result.members ?? []) members.add(id);
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return members;
  }

  function members(channel: string): Promise<Set<string>> {
    const cached = cache.get(channel);
    if (cached && now() - cached.at < ttlMs) return cached.members;
    const fresh = fetchMembers(channel);
    cache.set(channel, { members: fresh, at: now() });
    // A failed look-up is not cached: the next question asks Slack again.
    fresh.catch(() => cache.delete(channel));
    return fresh;
  }

  return async function isChannelMember(channel: string, userId: string): Promise<boolean> {
    if (channel === '') return false;
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error('channel member lookup timed out')),
        options.timeoutMs ?? 2000,
      ).unref(),
    );
    try {
      return (await Promise.race([members(channel), timeout])).has(userId);
    } catch {
      return false;
    }
  };
}

export type ChannelMembership = ReturnType<typeof createChannelMembers>;
