import type { types } from '@slack/bolt';
import type { Preset } from '../../config/file-schema.ts';
import { SLASH_COMMAND } from '../action-ids.ts';
import { inlineCode, mrkdwn } from '../escape.ts';
import type { BuildListItem } from '../messages/command-replies.ts';
import { type Blocks, context, section, slackDate, usableUrl } from '../messages/format.ts';
import { STATE_EMOJI, STATE_LABEL } from '../messages/status-message.ts';

/** The Build button on the home tab; it opens the same modal as `/bootc-iso build`. */
export const HOME_BUILD_ACTION = 'bootc_iso_home_build';

/** Builds shown on the home tab; the rest are one `/bootc-iso list` away. */
export const HOME_MAX_BUILDS = 10;
const HOME_MAX_PRESETS = 20;

export interface AppHomeContext {
  /** The person's own builds, newest first (never anyone else's: a home tab is private to its owner). */
  builds: BuildListItem[];
  presets: Record<string, Preset>;
  now?: Date;
}

function buildLine(item: BuildListItem, now: Date): string {
  const r = item.request;
  const requested = Date.parse(r.requestedAt);
  const parts = [
    `${STATE_EMOJI[item.state]} ${inlineCode(item.buildId, 40)} *${STATE_LABEL[item.state]}*`,
    `${inlineCode(r.source, 300)} (${mrkdwn(r.type, 40)}, ${mrkdwn(r.arch, 40)})`,
    slackDate(Number.isNaN(requested) ? item.updatedAt : new Date(requested)),
  ];
  const link = item.result?.link;
  if (item.state === 'completed' && link && !item.linkExpired && Date.parse(link.expiresAt) > now.getTime()) {
    // A link too long for a section is replaced by the command that shows the status message with its button.
    parts.push(
      usableUrl(link.url, 1500)
        ? `<${link.url}|Download>`
        : inlineCode(`${SLASH_COMMAND} status ${item.buildId}`, 80),
    );
  } else if (item.state === 'completed') {
    parts.push(`link expired: ${inlineCode(`${SLASH_COMMAND} status ${item.buildId}`, 80)}`);
  }
  return parts.join(' · ');
}

function presetLine(name: string, preset: Preset): string {
  const description = preset.description.trim() !== '' ? ` — ${mrkdwn(preset.description, 200)}` : '';
  return `• *${mrkdwn(name, 75)}*${description}\n      ${inlineCode(preset.image, 1100)}`;
}

/** The home tab: a Build button, the person's recent builds with their download links, and the presets. */
export function appHomeView(ctx: AppHomeContext): types.HomeView {
  const now = ctx.now ?? new Date();
  const blocks: Blocks = [
    { type: 'header', text: { type: 'plain_text', text: 'bootc-iso' } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Build an installer ISO from a bootc container image. The status goes to this app's Messages tab; in a channel, use ${inlineCode(`${SLASH_COMMAND} build`)} there.`,
      },
      accessory: {
        type: 'button',
        action_id: HOME_BUILD_ACTION,
        text: { type: 'plain_text', text: 'Build' },
        style: 'primary',
      },
    },
    { type: 'divider' },
    { type: 'header', text: { type: 'plain_text', text: 'Your recent builds' } },
  ];
  const builds = ctx.builds.slice(0, HOME_MAX_BUILDS);
  if (builds.length === 0) blocks.push(section('None yet.'));
  for (const item of builds) blocks.push(section(buildLine(item, now)));
  if (ctx.builds.length > builds.length) {
    blocks.push(context(`The newest ${builds.length}; ${inlineCode(`${SLASH_COMMAND} list`)} shows more.`));
  }
  blocks.push({ type: 'divider' }, { type: 'header', text: { type: 'plain_text', text: 'Presets' } });
  const presets = Object.entries(ctx.presets).slice(0, HOME_MAX_PRESETS);
  if (presets.length === 0) blocks.push(section('None configured: the form takes any allowed image.'));
  for (const [name, preset] of presets) blocks.push(section(presetLine(name, preset)));
  blocks.push(context(`Updated ${slackDate(now)}`));
  return { type: 'home', blocks: blocks as types.HomeView['blocks'] };
}
