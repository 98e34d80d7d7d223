import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Logger } from '../../logger.ts';
import type { BuildQueues } from '../../queue/build-producer.ts';
import { cancelRequestedBy } from '../../queue/cancel-requests.ts';
import { type ArtifactStore, artifactKeys } from '../../storage/artifact-store.ts';
import type { BuildRecord, BuildRecords } from '../build-records.ts';
import { sendFinishDm } from '../handlers/finish-dm.ts';
import { goneMessage } from '../messages/gone-message.ts';
import { type BuildStatus, statusMessage, threadNote } from '../messages/status-message.ts';
import type { SlackPoster } from '../slack-poster.ts';
import { type SyncJobData, scheduleSync, UPDATE_INTERVAL_MS } from './event-bridge.ts';
import { readBuildStatus } from './read-build-status.ts';

export interface SyncDeps {
  queues: BuildQueues;
  records: BuildRecords;
  notify: Queue<SyncJobData>;
  poster: SlackPoster;
  store: ArtifactStore | undefined;
  logger: Logger;
  now?: () => number;
  /** DM the requester once when their build ends (config `notifications.dmOnFinish`). */
  dmOnFinish?: boolean;
}

const TERMINAL = new Set<BuildStatus['state']>(['completed', 'failed', 'cancelled']);
const LOG_LINK_TTL_SECONDS = 7 * 24 * 3600;

type NoteKind = Parameters<typeof threadNote>[0];

/** The thread notes a status calls for, keyed so that each is posted once per build. */
function notesFor(status: BuildStatus, noted: readonly string[]): { key: string; kind: NoteKind }[] {
  const attempt = status.progress?.attempt ?? 1;
  const host = status.progress?.host;
  switch (status.state) {
    case 'running': {
      if (!host) return [];
      // Keyed by attempt and host: a build picked up by another host after its first one died (a stalled job keeps
      // its attempt number) gets one "retrying on another host" note.
      const startedBefore = noted.some((key) => key.startsWith('started:'));
      return [{ key: `started:${attempt}:${host}`, kind: startedBefore ? 'retrying' : 'started' }];
    }
    case 'completed':
      return [{ key: 'completed', kind: 'completed' }];
    case 'failed':
      return [{ key: 'failed', kind: 'failed-detail' }];
    case 'cancelled':
      return [{ key: 'cancelled', kind: 'cancelled' }];
    default:
      return [];
  }
}

/**
 * Brings a build's Slack presence up to date with its queue state: thread notes for transitions not yet noted,
 * and one chat.update when the rendered message changed, never sooner than 5 s after the previous one.
 * Safe to run any number of times, from any bot process: it reads state instead of trusting events.
 */
export async function syncBuild(deps: SyncDeps, data: SyncJobData): Promise<'done' | 'later' | 'not-ours'> {
  const now = deps.now ?? Date.now;
  const outcome = await deps.records.withLock(data.buildId, async () => {
    const record = await deps.records.get(data.buildId);
    // Builds queued from the CLI have no status message: nothing to do.
    if (!record) return 'not-ours' as const;
    let status = await readBuildStatus(deps.queues, data.arch, data.buildId, record, new Date(now()));
    if (!status) return showGone(deps, data.buildId, record);
    if (record.final && !TERMINAL.has(status.state)) return 'done' as const;
    const logKey = artifactKeys(data.buildId).log;
    // The "Full log" button only for a log that exists (a build refused before it started has none).
    if (TERMINAL.has(status.state) && !status.logUrl && deps.store && (await deps.store.headObject(logKey))) {
      // Signed once and kept, so that later renders of the same state are identical (and skip chat.update).
      const { url } = await deps.store.presignGet(logKey, {
        ttlSeconds: LOG_LINK_TTL_SECONDS,
      });
      await deps.records.update(data.buildId, (r) => ({ ...r, logUrl: url }));
      status = { ...status, logUrl: url };
    }
    const posted = await postNotes(deps, record, status);
    if (deps.dmOnFinish && TERMINAL.has(status.state) && !record.notes.includes('dm')) {
      // Noted before sending: a DM lost to a failure is better than a second one after a retry.
      await deps.records.update(data.buildId, (r) => ({ ...r, notes: [...new Set([...r.notes, 'dm'])] }));
      await sendFinishDm(deps.poster, record.requester, status).catch((error: unknown) =>
        deps.logger.warn({ buildId: data.buildId, error: String(error) }, 'could not DM the requester'),
      );
    }
    const message = statusMessage(status);
    const render = createHash('sha256').update(JSON.stringify(message)).digest('hex');
    if (render === record.lastRender) return 'done' as const;
    // At most one edit per 5 s, counted from the post. One exception: when the message was never edited and the
    // build is already over (an ISO reused from an identical build, a request refused at once), the one and only
    // edit goes out at once instead of 5 s after the post.
    const firstAndFinal = record.lastRender === '' && TERMINAL.has(status.state);
    const dueAt = firstAndFinal ? 0 : record.lastUpdateAt + UPDATE_INTERVAL_MS;
    if (now() < dueAt) {
      await scheduleSync(deps.notify, data, dueAt, now());
      return 'later' as const;
    }
    await deps.poster.update(record.channel, record.ts, message);
    await deps.records.update(data.buildId, (r) => ({
      ...r,
      notes: [...new Set([...r.notes, ...posted])],
      lastRender: render,
      lastUpdateAt: now(),
      ...(TERMINAL.has(status.state) ? { final: true } : {}),
    }));
    return 'done' as const;
  });
  if (outcome === undefined) {
    // Another bot process is syncing this build right now; look again shortly.
    await scheduleSync(deps.notify, data, now() + 1000, now());
    return 'later';
  }
  return outcome;
}

/**
 * The job is gone (removed by a cancel from the CLI, an operator or retention). A build already shown as final
 * keeps its message; one still shown as queued or running says what happened to it.
 */
async function showGone(deps: SyncDeps, buildId: string, record: BuildRecord): Promise<'done'> {
  if (record.final) return 'done';
  const now = deps.now ?? Date.now;
  const by = record.cancelledBy ?? (await cancelRequestedBy(deps.queues.connection, buildId));
  await deps.poster.update(record.channel, record.ts, goneMessage(buildId, by));
  await deps.records.update(buildId, (r) => ({ ...r, final: true, lastRender: 'gone', lastUpdateAt: now() }));
  return 'done';
}

async function postNotes(deps: SyncDeps, record: BuildRecord, status: BuildStatus): Promise<string[]> {
  const posted: string[] = [];
  for (const note of notesFor(status, record.notes)) {
    if (record.notes.includes(note.key)) continue;
    await deps.poster.reply(record.channel, record.ts, threadNote(note.kind, status));
    posted.push(note.key);
    // Record each note at once: if a later step fails and the job is retried, the note is not posted again.
    await deps.records.update(status.buildId, (r) => ({ ...r, notes: [...new Set([...r.notes, note.key])] }));
  }
  return posted;
}
