import type { types } from '@slack/bolt';
import type { Config } from '../../config/load-config.ts';
import { SLASH_COMMAND } from '../action-ids.ts';
import { inlineCode, mrkdwn, truncate } from '../escape.ts';
import type { BuildStatus } from './build-status.ts';
import { COMMANDS, type ListScope } from './command-table.ts';
import { type Blocks, channelText, context, requesterText, section, slackDate, usableUrl } from './format.ts';
import { STATE_EMOJI, STATE_LABEL, statusMessage } from './status-message.ts';

export { COMMANDS, type CommandHelp, type CommandName, type ListScope } from './command-table.ts';
export { type ParsedCommand, parseCommandText } from './parse-command-text.ts';

/** An answer only the person who typed the command sees; fits `ack()`, `respond()` and chat.postEphemeral. */
export interface EphemeralReply {
  response_type: 'ephemeral';
  text: string;
  blocks: Blocks;
}

/** Leaves room for a heading and a closing note within Slack's 50 blocks per message. */
const MAX_LIST_SECTIONS = 45;
const SECTION_CHARS = 2900;

const reply = (text: string, blocks: Blocks): EphemeralReply => ({
  response_type: 'ephemeral',
  text,
  blocks,
});

/** Packs lines into as few sections as possible; returns the sections and how many lines made it in. */
function packLines(lines: string[]): { blocks: types.SectionBlock[]; shown: number } {
  const texts: string[] = [];
  let shown = 0;
  for (const raw of lines) {
    const line = truncate(raw, SECTION_CHARS);
    const last = texts.at(-1);
    if (last !== undefined && last.length + 1 + line.length <= SECTION_CHARS)
      texts[texts.length - 1] = `${last}\n${line}`;
    else if (texts.length < MAX_LIST_SECTIONS) texts.push(line);
    else break;
    shown++;
  }
  return { blocks: texts.map(section), shown };
}

/** `/bootc-iso help`: the problem with what was typed (if any), then the command table. */
export function helpReply(problem?: string): EphemeralReply {
  const table = COMMANDS.map((c) => `${inlineCode(c.usage, 200)} — ${mrkdwn(c.description, 300)}`).join('\n');
  const blocks: Blocks = [];
  if (problem !== undefined) blocks.push(section(`:warning: ${mrkdwn(problem, 1000)}`));
  blocks.push(section(`*${SLASH_COMMAND} commands*\n${table}`));
  return reply(problem !== undefined ? oneLineText(problem) : `${SLASH_COMMAND} commands`, blocks);
}

function oneLineText(s: string): string {
  return mrkdwn(s.replace(/\s+/g, ' '), 300);
}

/** `/bootc-iso presets`: every preset with its description, image and builder, as many as fit. */
export function presetsReply(config: Pick<Config, 'presets'>): EphemeralReply {
  const entries = Object.entries(config.presets);
  if (entries.length === 0) {
    const text = `No presets are configured. ${inlineCode(`${SLASH_COMMAND} build <image>`)} builds from any allowed image.`;
    return reply('No presets are configured', [section(text)]);
  }
  const lines = entries.map(([name, p]) => {
    const description = p.description.trim() !== '' ? ` — ${mrkdwn(p.description, 200)}` : '';
    return `• *${mrkdwn(name, 75)}*${description}\n      ${inlineCode(p.image, 1100)} · builder ${inlineCode(p.builder, 80)}`;
  });
  const { blocks, shown } = packLines(lines);
  const head = section(
    `*Presets* — pick one in the build form, or type ${inlineCode(`${SLASH_COMMAND} build <preset>`)}`,
  );
  const more = shown < entries.length ? [context(`…and ${entries.length - shown} more not shown here.`)] : [];
  return reply(`${entries.length} presets`, [head, ...blocks, ...more]);
}

export type BuildListItem = Pick<BuildStatus, 'buildId' | 'state' | 'request' | 'updatedAt'> &
  Partial<Pick<BuildStatus, 'result' | 'linkExpired' | 'ahead'>> & {
    /** This person may not see the build's details or links: its id and state only. */
    hidden?: boolean;
  };

const SCOPE_TITLE: Record<ListScope, string> = {
  mine: 'Your recent builds',
  channel: 'Recent builds in this channel',
  all: 'Recent builds',
};

function requestedMs(item: BuildListItem): number {
  const ms = Date.parse(item.request.requestedAt);
  return Number.isNaN(ms) ? item.updatedAt.getTime() : ms;
}

function listLine(item: BuildListItem, now: Date): string {
  if (item.hidden)
    return `${STATE_EMOJI[item.state]} ${inlineCode(item.buildId, 40)} *${STATE_LABEL[item.state]}* · details for its requester, channel and admins`;
  const r = item.request;
  const parts = [
    `${STATE_EMOJI[item.state]} ${inlineCode(item.buildId, 40)} *${STATE_LABEL[item.state]}*`,
    requesterText(r.requester),
    `${inlineCode(r.source, 300)} (${mrkdwn(r.type, 40)}, ${mrkdwn(r.arch, 40)})`,
    slackDate(new Date(requestedMs(item))),
  ];
  const link = item.result?.link;
  if (item.state === 'completed' && link && !item.linkExpired && Date.parse(link.expiresAt) > now.getTime()) {
    parts.push(
      usableUrl(link.url, 1500)
        ? `<${link.url}|Download>`
        : inlineCode(`${SLASH_COMMAND} status ${item.buildId}`, 80),
    );
  }
  return parts.join(' · ');
}

/** `/bootc-iso list`: newest first, one line each, with a download link while it is valid. */
export function buildListReply(
  items: BuildListItem[],
  scope: ListScope,
  now: Date = new Date(),
): EphemeralReply {
  const title = SCOPE_TITLE[scope];
  if (items.length === 0) {
    return reply(`${title}: none`, [
      section(`*${title}*\nNone yet. Start one with \`${SLASH_COMMAND} build\`.`),
    ]);
  }
  const sorted = [...items].sort((a, b) => requestedMs(b) - requestedMs(a));
  const { blocks, shown } = packLines(sorted.map((item) => listLine(item, now)));
  const more = shown < sorted.length ? [context(`Showing the newest ${shown} of ${sorted.length}.`)] : [];
  return reply(`${title}: ${items.length}`, [section(`*${title}*`), ...blocks, ...more]);
}

/** `/bootc-iso status <id>`: the status message for one person, keeping only link buttons (others act on the channel message). */
export function statusReply(s: BuildStatus): EphemeralReply {
  const message = statusMessage(s);
  const blocks: Blocks = [];
  for (const block of message.blocks) {
    if (block.type !== 'actions') {
      blocks.push(block);
      continue;
    }
    const elements = (block as types.ActionsBlock).elements.filter(
      (el) => el.type === 'button' && el.url !== undefined,
    );
    if (elements.length > 0) blocks.push({ ...(block as types.ActionsBlock), elements });
  }
  return reply(message.text, blocks);
}

/** The bot cannot post in the channel: tell the person how to invite it. */
export function notInChannelReply(channelId: string, isPrivate: boolean): EphemeralReply {
  const where = channelText(channelId);
  const why = isPrivate
    ? `I can't post in ${where}: private channels need an invitation.`
    : `I can't post in ${where} and could not join it.`;
  const text = `${why} Invite me with \`/invite @bootc-iso\`, then build status will appear there.`;
  return reply(text, [section(`:wave: ${text}`)]);
}

/** A refusal; `reason` is plain text (it is escaped) saying what is needed, e.g. "builds are allowed in #builds". */
export function deniedReply(reason: string): EphemeralReply {
  const text = `Not allowed: ${mrkdwn(reason, 1000)}`;
  return reply(truncate(text, 300), [section(`:no_entry: ${text}`)]);
}
