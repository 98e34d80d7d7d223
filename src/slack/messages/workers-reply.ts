import type { Arch } from '../../domain/build-request.ts';
import type { WorkerInfo } from '../../queue/worker-registry.ts';
import { SLASH_COMMAND } from '../action-ids.ts';
import { inlineCode, mrkdwn } from '../escape.ts';
import type { EphemeralReply } from './command-replies.ts';
import { type Blocks, context, humanDuration, section } from './format.ts';

/** Slack allows 50 blocks; a heading and a closing note leave room for 45 hosts. */
const MAX_SHOWN = 45;

function gib(n: number | null): string {
  return n === null ? '?' : `${n.toFixed(1)} GiB`;
}

function workerLine(w: WorkerInfo, now: Date): string {
  const busy = w.running.length;
  const running = busy
    ? ` (${w.running
        .slice(0, 5)
        .map((id) => inlineCode(id, 40))
        .join(', ')}${busy > 5 ? ', …' : ''})`
    : '';
  const free = Math.min(w.disk.workDirFreeGiB ?? Infinity, w.disk.containerStorageFreeGiB ?? Infinity);
  const up = humanDuration(now.getTime() - Date.parse(w.startedAt));
  // A stopping host still beats (it may hold builds) but takes no new ones: said first, so nobody waits on it.
  const icon = w.draining
    ? ':double_vertical_bar:'
    : busy > 0
      ? ':large_blue_circle:'
      : ':large_green_circle:';
  const parts = [
    `${icon} ${inlineCode(w.name, 80)} · *${mrkdwn(w.arch, 20)}*`,
    ...(w.draining ? ['*draining* (takes no new builds, stops once its builds end)'] : []),
    `${busy} of ${w.concurrency} building${running}`,
    `${Number.isFinite(free) ? gib(free) : '?'} free`,
    `podman ${mrkdwn(w.podmanVersion ?? '?', 40)}`,
    `v${mrkdwn(w.version, 40)}`,
    ...(w.capabilities.length ? [mrkdwn(w.capabilities.join(', '), 100)] : []),
    `up ${up}`,
  ];
  const builders = w.builderImages.length
    ? `\n      builders: ${w.builderImages
        .slice(0, 5)
        .map((i) => inlineCode(i, 200))
        .join(', ')}`
    : '';
  const warm = w.warmImages.length
    ? `\n      warm: ${w.warmImages
        .slice(0, 5)
        .map((i) => inlineCode(i.ref, 200))
        .join(', ')}`
    : '';
  return `${parts.join(' · ')}${builders}${warm}`;
}

/** `/bootc-iso workers`: the build hosts with a current heartbeat. */
export function workersReply(workers: WorkerInfo[], now: Date = new Date()): EphemeralReply {
  if (workers.length === 0) {
    const text =
      'No build host is online. Builds are still queued and start when a host for their architecture comes up.';
    return { response_type: 'ephemeral', text, blocks: [section(`:warning: ${text}`)] };
  }
  const shown = workers.slice(0, MAX_SHOWN);
  const arches = [...new Set(workers.map((w) => w.arch))].join(', ');
  const draining = workers.filter((w) => w.draining).length;
  const blocks: Blocks = [
    section(
      `*Build hosts online: ${workers.length}* (${mrkdwn(arches, 200)})${draining ? `, ${draining} draining` : ''}`,
    ),
    ...shown.map((w) => section(workerLine(w, now))),
  ];
  if (shown.length < workers.length) blocks.push(context(`…and ${workers.length - shown.length} more.`));
  return {
    response_type: 'ephemeral',
    text: `${workers.length} build host${workers.length === 1 ? '' : 's'} online`,
    blocks,
  };
}

/** The thread note on a build queued for an architecture (and capabilities) no live host serves. */
export function noWorkerNote(arch: Arch, requires: readonly string[] = []): { text: string } {
  const host = requires.length
    ? `*${arch}* build host with ${requires.map((c) => `*${c}*`).join(' and ')} (a registered RHEL host: RHEL ISOs download their installer packages through its subscription)`
    : `build host for *${arch}*`;
  return {
    text: `:hourglass_flowing_sand: No ${host} is online right now, so this build waits in the queue until one starts. \`${SLASH_COMMAND} workers\` shows the hosts that are up.`,
  };
}
