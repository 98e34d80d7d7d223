// State held by the fake Slack Web API: channels, users, messages, views, triggers and response URLs.

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  metadata?: unknown;
  /** Author: the bot user id for messages the bot posted. */
  user: string;
  updates: number;
  /** The message content after each successful `chat.update`, oldest first. */
  edits: { text: string; blocks?: unknown[]; at: number }[];
}

export interface FakeView {
  id: string;
  /** The view as Slack returns it: the posted view plus `id`, `hash`, `state`, `team_id`, `app_id`, `bot_id`. */
  view: Record<string, unknown>;
  user: string;
  triggerId: string;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  message_ts: string;
}

export interface ChannelOptions {
  name?: string;
  isPrivate?: boolean;
  botIsMember?: boolean;
  archived?: boolean;
  /** Users in the channel, for `chat.postEphemeral`'s `user_not_in_channel`; omitted means everyone. */
  members?: string[];
}

export interface FakeChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  botIsMember: boolean;
  archived: boolean;
  members?: string[];
}

export interface UserOptions {
  name?: string;
  realName?: string;
  tz?: string;
  tzOffset?: number;
  deleted?: boolean;
  isBot?: boolean;
}

export interface FakeIdentity {
  botUserId: string;
  botId: string;
  teamId: string;
  appId: string;
  chatWritePublic: boolean;
  now: () => number;
}

export interface FakeState {
  id: FakeIdentity;
  channels: Map<string, FakeChannel>;
  /** user id → DM channel id, created on first `chat.postMessage` to the user id. */
  dms: Map<string, string>;
  users: Map<string, UserOptions>;
  /** user group id (S…) → member user ids, for usergroups.users.list. */
  userGroups: Map<string, string[]>;
  messages: FakeMessage[];
  views: FakeView[];
  /** user id → the home tab view last published for them (views.publish). */
  homes: Map<string, Record<string, unknown>>;
  ephemerals: FakeEphemeral[];
  triggers: Map<string, { issuedAt: number; user: string; used: boolean }>;
  /** Never reset, so ts values and ids keep increasing across `reset()`. */
  seq: { ts: number; view: number; dm: number; trigger: number; hash: number };
}

/** Present in every fresh or reset fake: a public channel the bot is a member of. */
export const DEFAULT_CHANNEL = 'C0TEST';

export function channelRecord(id: string, opts: ChannelOptions, previous?: FakeChannel): FakeChannel {
  const channel: FakeChannel = {
    id,
    name: opts.name ?? previous?.name ?? id.toLowerCase(),
    isPrivate: opts.isPrivate ?? previous?.isPrivate ?? false,
    isIm: previous?.isIm ?? false,
    botIsMember: opts.botIsMember ?? previous?.botIsMember ?? false,
    archived: opts.archived ?? previous?.archived ?? false,
  };
  const members = opts.members ?? previous?.members;
  if (members !== undefined) channel.members = [...members];
  return channel;
}

export function createState(id: FakeIdentity): FakeState {
  const state: FakeState = {
    id,
    channels: new Map(),
    dms: new Map(),
    users: new Map(),
    userGroups: new Map(),
    messages: [],
    views: [],
    homes: new Map(),
    ephemerals: [],
    triggers: new Map(),
    seq: { ts: 0, view: 0, dm: 0, trigger: 0, hash: 0 },
  };
  clearState(state);
  return state;
}

/** Forgets everything except the id counters; restores the default channel. */
export function clearState(state: FakeState): void {
  state.channels.clear();
  state.dms.clear();
  state.users.clear();
  state.messages.length = 0;
  state.views.length = 0;
  state.homes.clear();
  state.ephemerals.length = 0;
  state.triggers.clear();
  state.channels.set(DEFAULT_CHANNEL, channelRecord(DEFAULT_CHANNEL, { name: 'test', botIsMember: true }));
}

/** Message timestamps like Slack's: '1700000000.000100', '1700000000.000200', … strictly increasing. */
export function nextTs(state: FakeState): string {
  state.seq.ts += 1;
  const micros = state.seq.ts * 100;
  const seconds = 1_700_000_000 + Math.floor(micros / 1_000_000);
  return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

export function isUserId(value: string): boolean {
  return /^[UW][A-Z0-9]+$/.test(value);
}

/** The app's DM with a user, created on first use (chat.postMessage with `channel: <user id>`). */
export function dmChannel(state: FakeState, userId: string): FakeChannel {
  let id = state.dms.get(userId);
  if (id === undefined) {
    state.seq.dm += 1;
    id = `D${String(state.seq.dm).padStart(8, '0')}`;
    state.dms.set(userId, id);
    state.channels.set(id, { ...channelRecord(id, { isPrivate: true, botIsMember: true }), isIm: true });
  }
  const channel = state.channels.get(id);
  if (channel === undefined) throw new Error(`fake Slack: DM channel ${id} vanished`);
  return channel;
}
