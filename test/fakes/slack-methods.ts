// Web API methods of the fake Slack. Error strings are Slack's documented ones: slack-ruby/slack-api-ref
// methods/chat/*.json and methods/conversations/*.json; views live in ./slack-views.ts.
import { blockKitProblems } from './block-kit-limits.ts';
import { type Args, type Failure, fail, type Handler, type Result, str } from './slack-args.ts';
import { dmChannel, type FakeChannel, type FakeState, isUserId, nextTs } from './slack-state.ts';
import { openView, publishView, updateView } from './slack-views.ts';

/** `chat.postMessage` text beyond this is refused (the chat.postMessage reference: "40,000 characters"). */
const MAX_TEXT = 40_000;

function channelInfo(channel: FakeChannel): Record<string, unknown> {
  return {
    id: channel.id,
    name: channel.name,
    is_channel: !channel.isIm && !channel.isPrivate,
    is_group: !channel.isIm && channel.isPrivate,
    is_im: channel.isIm,
    is_private: channel.isPrivate,
    is_member: channel.botIsMember,
    is_archived: channel.archived,
  };
}

/** A channel the bot can see: any public one, or a private one it belongs to. */
function visibleChannel(state: FakeState, id: string | undefined): FakeChannel | undefined {
  const channel = id === undefined ? undefined : state.channels.get(id);
  if (channel === undefined || (channel.isPrivate && !channel.botIsMember)) return undefined;
  return channel;
}

type Content = { text: string | undefined; blocks: unknown[] | undefined } | Failure;

/** text/blocks of a message-like call: `no_text`, `msg_too_long`, `invalid_blocks_format`, `invalid_blocks`. */
function messageContent(args: Args, requireSome: boolean): Content {
  const text = typeof args.text === 'string' ? args.text : undefined;
  const blocks = args.blocks;
  if (typeof blocks === 'string') return fail('invalid_blocks_format');
  const nonEmptyBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (requireSome && !text && !nonEmptyBlocks) return fail('no_text');
  if (text !== undefined && text.length > MAX_TEXT) return fail('msg_too_long');
  const problems = blockKitProblems('message', { blocks });
  if (problems.length > 0) return fail('invalid_blocks', problems);
  return { text, blocks: Array.isArray(blocks) ? blocks : undefined };
}

function messageJson(state: FakeState, m: FakeState['messages'][number]): Record<string, unknown> {
  const json: Record<string, unknown> = {
    type: 'message',
    user: m.user,
    text: m.text,
    ts: m.ts,
    team: state.id.teamId,
  };
  if (m.user === state.id.botUserId) Object.assign(json, { bot_id: state.id.botId, app_id: state.id.appId });
  if (m.thread_ts !== undefined) json.thread_ts = m.thread_ts;
  if (m.blocks !== undefined) json.blocks = m.blocks;
  if (m.metadata !== undefined) json.metadata = m.metadata;
  return json;
}

function postMessage(state: FakeState, args: Args): Result | Failure {
  const target = str(args, 'channel');
  if (target === undefined) return fail('channel_not_found');
  const channel = isUserId(target) ? dmChannel(state, target) : visibleChannel(state, target);
  if (channel === undefined) return fail('channel_not_found');
  if (channel.archived) return fail('is_archived');
  // The fake grants chat:write but not chat:write.public unless startFakeSlack({ chatWritePublic: true }).
  if (!channel.botIsMember && !state.id.chatWritePublic) return fail('not_in_channel');
  const content = messageContent(args, true);
  if ('ok' in content) return content;
  const threadTs = str(args, 'thread_ts');
  if (threadTs !== undefined) {
    // Replies must name the parent's ts; a reply's own ts is refused, as Slack asks ("use its parent instead").
    const parent = state.messages.find((m) => m.channel === channel.id && m.ts === threadTs);
    if (parent === undefined || parent.thread_ts !== undefined) return fail('thread_not_found');
  }
  const message: FakeState['messages'][number] = {
    channel: channel.id,
    ts: nextTs(state),
    text: content.text ?? '',
    user: state.id.botUserId,
    updates: 0,
    edits: [],
  };
  if (threadTs !== undefined) message.thread_ts = threadTs;
  if (content.blocks !== undefined) message.blocks = content.blocks;
  if (args.metadata !== undefined) message.metadata = args.metadata;
  state.messages.push(message);
  return { ok: true, channel: channel.id, ts: message.ts, message: messageJson(state, message) };
}

function update(state: FakeState, args: Args): Result | Failure {
  const channel = visibleChannel(state, str(args, 'channel'));
  if (channel === undefined) return fail('channel_not_found');
  const ts = str(args, 'ts');
  const message = state.messages.find((m) => m.channel === channel.id && m.ts === ts);
  if (message === undefined) return fail('message_not_found');
  if (message.user !== state.id.botUserId) return fail('cant_update_message');
  if (channel.archived) return fail('is_archived');
  const content = messageContent(args, args.text === undefined && args.blocks === undefined);
  if ('ok' in content) return content;
  // Omitted text, blocks or metadata keep their previous values (chat.update reference).
  if (content.text !== undefined) message.text = content.text;
  if (content.blocks !== undefined) message.blocks = content.blocks;
  if (args.metadata !== undefined) message.metadata = args.metadata;
  message.updates += 1;
  const edit: FakeState['messages'][number]['edits'][number] = { text: message.text, at: state.id.now() };
  if (message.blocks !== undefined) edit.blocks = message.blocks;
  message.edits.push(edit);
  return {
    ok: true,
    channel: channel.id,
    ts: message.ts,
    text: message.text,
    message: messageJson(state, message),
  };
}

function postEphemeral(state: FakeState, args: Args): Result | Failure {
  const channel = visibleChannel(state, str(args, 'channel'));
  if (channel === undefined) return fail('channel_not_found');
  if (channel.archived) return fail('is_archived');
  const user = str(args, 'user');
  if (user === undefined || (channel.members !== undefined && !channel.members.includes(user))) {
    return fail('user_not_in_channel');
  }
  const content = messageContent(args, true);
  if ('ok' in content) return content;
  const ephemeral: FakeState['ephemerals'][number] = {
    channel: channel.id,
    user,
    text: content.text ?? '',
    message_ts: nextTs(state),
  };
  if (content.blocks !== undefined) ephemeral.blocks = content.blocks;
  state.ephemerals.push(ephemeral);
  return { ok: true, message_ts: ephemeral.message_ts };
}

function join(state: FakeState, args: Args): Result | Failure {
  const channel = state.channels.get(str(args, 'channel') ?? '');
  if (channel === undefined) return fail('channel_not_found');
  // channels:join covers public channels only; a human must /invite the bot to a private one.
  if (channel.isIm || channel.isPrivate) return fail('method_not_supported_for_channel_type');
  if (channel.archived) return fail('is_archived');
  const already = channel.botIsMember;
  channel.botIsMember = true;
  const result: Result = { ok: true, channel: channelInfo(channel) };
  if (already) {
    Object.assign(result, {
      warning: 'already_in_channel',
      response_metadata: { warnings: ['already_in_channel'] },
    });
  }
  return result;
}

function info(state: FakeState, args: Args): Result | Failure {
  const channel = visibleChannel(state, str(args, 'channel'));
  return channel === undefined ? fail('channel_not_found') : { ok: true, channel: channelInfo(channel) };
}

function userInfo(state: FakeState, args: Args): Result | Failure {
  const id = str(args, 'user');
  if (id === undefined || !isUserId(id)) return fail('user_not_found');
  const isBotUser = id === state.id.botUserId;
  const opts = state.users.get(id) ?? {};
  const name = opts.name ?? (isBotUser ? 'bootc-iso' : `user-${id.toLowerCase()}`);
  const realName = opts.realName ?? (isBotUser ? 'bootc-iso' : `Test User ${id}`);
  return {
    ok: true,
    user: {
      id,
      team_id: state.id.teamId,
      name,
      real_name: realName,
      deleted: opts.deleted ?? false,
      is_bot: opts.isBot ?? isBotUser,
      tz: opts.tz ?? 'Europe/Berlin',
      tz_label: 'Fake Time',
      tz_offset: opts.tzOffset ?? 3600,
      profile: { real_name: realName, display_name: name },
    },
  };
}

/** Slack answers no_such_subteam for an unknown group (scope usergroups:read). */
function userGroupMembers(state: FakeState, args: Args): Result | Failure {
  const group = str(args, 'usergroup');
  if (group === undefined) return fail('invalid_arguments');
  const users = state.userGroups.get(group);
  return users === undefined ? fail('no_such_subteam') : { ok: true, users: [...users] };
}

function authTest(state: FakeState): Result {
  const { botUserId, botId, teamId } = state.id;
  return {
    ok: true,
    url: 'https://test.slack.com/',
    team: 'Test',
    user: 'bootc-iso',
    team_id: teamId,
    user_id: botUserId,
    bot_id: botId,
    is_enterprise_install: false,
  };
}

/** The methods the fake serves; anything else is `unknown_method`. */
export const METHODS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['auth.test', authTest],
  ['chat.postMessage', postMessage],
  ['chat.update', update],
  ['chat.postEphemeral', postEphemeral],
  ['views.open', openView],
  ['views.push', openView],
  ['views.update', updateView],
  ['views.publish', publishView],
  ['conversations.join', join],
  ['conversations.info', info],
  ['users.info', userInfo],
  ['usergroups.users.list', userGroupMembers],
]);
