import type { types } from '@slack/bolt';
import { BUILD_STEPS, type BuildResult, type BuildStep } from '../../queue/build-job.ts';
import { customSettingsUsed } from '../access/custom-settings.ts';
import { ACTIONS } from '../action-ids.ts';
import { codeBlock, inlineCode, mrkdwn } from '../escape.ts';
import { artifactBlocks, checkingFilesBlocks, madeWhat } from './artifact-blocks.ts';
import type { BuildState, BuildStatus } from './build-status.ts';
import {
  actions,
  actorText,
  type Blocks,
  button,
  context,
  errorText,
  fields,
  humanDuration,
  humanSize,
  oneLine,
  progressBar,
  requesterText,
  section,
  slackDate,
  usableUrl,
} from './format.ts';

export type { BuildState, BuildStatus } from './build-status.ts';
export { threadNote } from './thread-note.ts';

export const STATE_EMOJI: Record<BuildState, string> = {
  queued: ':hourglass_flowing_sand:',
  running: ':gear:',
  retrying: ':repeat:',
  completed: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
};

export const STATE_LABEL: Record<BuildState, string> = {
  queued: 'queued',
  running: 'building',
  retrying: 'waiting to retry',
  completed: 'ready',
  failed: 'failed',
  cancelled: 'cancelled',
};

const WORK_STEPS: readonly BuildStep[] = BUILD_STEPS.filter((s) => s !== 'done' && s !== 'failed');
const LOG_LINES = 15;

function cancelButton(buildId: string): types.Button {
  return button(ACTIONS.cancel, 'Cancel', {
    value: buildId,
    style: 'danger',
    confirm: {
      title: { type: 'plain_text', text: 'Cancel this build?' },
      text: { type: 'plain_text', text: 'The build stops and its partial output is discarded.' },
      confirm: { type: 'plain_text', text: 'Cancel build' },
      deny: { type: 'plain_text', text: 'Keep building' },
    },
  });
}

function summaryFields(s: BuildStatus): types.SectionBlock {
  const r = s.request;
  const items = [
    `*Source image*\n${inlineCode(r.source, 1100)}`,
    // Enums once validated, but job data is read back from Redis: escape like everything else.
    `*Image type*\n${mrkdwn(r.types?.join(', ') ?? r.type, 200)}`,
    `*Architecture*\n${mrkdwn(r.arch, 40)}`,
    `*Requested by*\n${requesterText(r.requester)}`,
  ];
  if (r.preset !== undefined) items.push(`*Preset*\n${mrkdwn(r.preset, 140)}`);
  // Said where reviewers in the channel see it: these change what the installed machine trusts.
  const custom = customSettingsUsed(r.customizations);
  if (custom.length > 0) items.push(`*Custom settings*\n:warning: ${custom.join(', ')}`);
  return fields(items);
}

function runningBlocks(s: BuildStatus): Blocks {
  const p = s.progress;
  if (!p) return [context('Starting on a build host…')];
  const index = WORK_STEPS.indexOf(p.step);
  const name = mrkdwn(p.step, 40);
  const step = index >= 0 ? `Step ${index + 1} of ${WORK_STEPS.length}: ${name}` : name;
  let text = `*${step}*`;
  if (p.message.trim() !== '') text += ` — ${oneLine(p.message, 200)}`;
  if (p.percent !== undefined) text += `\n\`${progressBar(p.percent)}\``;
  const where = [
    p.host ? `Host ${inlineCode(p.host, 130)}` : '',
    (p.attempt ?? 1) > 1 ? `attempt ${p.attempt}` : '',
  ];
  const note = where.filter((w) => w !== '').join(' · ');
  return [section(text), ...(note ? [context(note)] : [])];
}

function queuedBlocks(s: BuildStatus): Blocks {
  const error = s.error ?? s.progress?.error;
  if (s.state === 'retrying') {
    const why = error ? `\n${errorText(error, 500)}` : '';
    return [section(`The last attempt stopped and will be retried, possibly on another host.${why}`)];
  }
  // A build handed back by a host, or waiting for an identical build, says why in its last progress message.
  if (s.progress && s.progress.message.trim() !== '') return [context(oneLine(s.progress.message, 200))];
  if (s.ahead === undefined) return [context('Waiting for a build host.')];
  if (s.ahead <= 0) return [context('Next in line: waiting for a free build host.')];
  return [context(`${s.ahead} build${s.ahead === 1 ? '' : 's'} ahead in the queue.`)];
}

function durationMs(s: BuildStatus, result: BuildResult): number {
  const total = Object.values(result.timings).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return total > 0 ? total : Date.parse(result.finishedAt) - Date.parse(s.request.requestedAt);
}

function completedBlocks(s: BuildStatus, result: BuildResult): Blocks {
  const url = result.link.url;
  const canDownload = !s.linkExpired && usableUrl(url);
  let lead: string;
  if (s.linkExpired)
    lead = `The download link expired ${slackDate(result.link.expiresAt)}: press *Fresh link* for a new one.`;
  else if (!canDownload)
    lead = 'The download link does not fit in a Slack button: press *Fresh link*, or use the bootc-iso CLI.';
  else
    lead = `*Your ${madeWhat(result)} ready.* The download link expires ${slackDate(result.link.expiresAt)}.`;
  if (result.reusedFrom !== undefined) {
    lead += `\nNo build was needed: an identical build (${inlineCode(result.reusedFrom, 40)}, same image digests and settings) made this ISO. Use *Rebuild anyway* in the build form or \`bootc-iso build --rebuild\` for a fresh one.`;
  }
  const details = fields([
    `*SHA-256*\n${inlineCode(result.iso.sha256, 200)}`,
    `*Size*\n${humanSize(result.iso.size)}`,
    `*Source digest*\n${inlineCode(result.sourceDigest, 200)}`,
    `*Builder image*\n${inlineCode(result.builderImage, 1100)}`,
    `*Duration*\n${humanDuration(durationMs(s, result))}`,
    `*Finished*\n${slackDate(result.finishedAt)} on ${inlineCode(result.workerHost, 130)}`,
  ]);
  const buttons = [
    ...(canDownload ? [button(ACTIONS.download, 'Download ISO', { url, style: 'primary' })] : []),
    button(ACTIONS.freshLink, 'Fresh link', { value: s.buildId }),
    ...(usableUrl(s.logUrl) ? [button(ACTIONS.openLog, 'Build log', { url: s.logUrl })] : []),
  ];
  return [
    section(lead),
    details,
    ...artifactBlocks(result, canDownload),
    ...checkingFilesBlocks(result, canDownload),
    ...actions(buttons),
  ];
}

function failedBlocks(s: BuildStatus): Blocks {
  const error = s.error ?? s.progress?.error;
  const blocks: Blocks = [section(error ? errorText(error) : 'The build failed without an error report.')];
  const log = codeBlock((error?.logTail ?? []).slice(-LOG_LINES), 2900);
  if (log !== '') blocks.push(section(log));
  const buttons = [
    ...(usableUrl(s.logUrl) ? [button(ACTIONS.openLog, 'Full log', { url: s.logUrl })] : []),
    button(ACTIONS.retry, 'Retry', { value: s.buildId }),
  ];
  return [...blocks, ...actions(buttons)];
}

function stateBlocks(s: BuildStatus): Blocks {
  switch (s.state) {
    case 'queued':
    case 'retrying':
      return [...queuedBlocks(s), ...actions([cancelButton(s.buildId)])];
    case 'running':
      return [...runningBlocks(s), ...actions([cancelButton(s.buildId)])];
    case 'completed':
      return s.result
        ? completedBlocks(s, s.result)
        : [section('The build finished, but its result is missing.')];
    case 'failed':
      return failedBlocks(s);
    case 'cancelled': {
      const who = s.cancelledBy !== undefined ? ` by ${actorText(s.cancelledBy)}` : '';
      return [
        section(`Cancelled${who}.`),
        ...actions([button(ACTIONS.retry, 'Retry', { value: s.buildId })]),
      ];
    }
  }
}

/** A one-line headline: "ISO build `b…` — building". */
export function headline(s: Pick<BuildStatus, 'buildId' | 'state' | 'ahead'>): string {
  const ahead = s.state === 'queued' && s.ahead !== undefined && s.ahead > 0 ? ` (${s.ahead} ahead)` : '';
  return `${STATE_EMOJI[s.state]} *ISO build ${inlineCode(s.buildId, 40)}* — ${STATE_LABEL[s.state]}${ahead}`;
}

/**
 * The one channel message for a build, edited in place as it moves. Deterministic for a given status (no clock),
 * so the notifier can skip chat.update when nothing visible changed. Within Block Kit limits for any input.
 */
export function statusMessage(s: BuildStatus): { text: string; blocks: Blocks } {
  const text = `ISO build ${s.buildId.slice(0, 40)} ${STATE_LABEL[s.state]}: ${s.request.source}`;
  return {
    text: `${STATE_EMOJI[s.state]} ${oneLine(text, 300)}`,
    blocks: [section(headline(s)), summaryFields(s), ...stateBlocks(s)],
  };
}
