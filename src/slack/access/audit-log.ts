import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import pRetry from 'p-retry';
import type { Logger } from '../../logger.ts';
import type { ArtifactStore } from '../../storage/artifact-store.ts';
import type { BuildRecords } from '../build-records.ts';
import { chainLine } from './audit-chain.ts';

export interface AuditEntry {
  at: string;
  /** Slack user ID of the person who asked, or `cli:<OS user>` for the operator command line. */
  who: string;
  /** The machine an operator command ran on. */
  host?: string;
  channel?: string;
  action: 'build' | 'cancel' | 'retry' | 'fresh-link' | 'approve' | 'deny' | 'expire' | 'await-approval';
  allowed: boolean;
  reason?: string;
  buildId?: string;
  /** What was asked for: preset name or image reference. */
  target?: string;
}

export type AuditLog = (entry: Omit<AuditEntry, 'at'>) => Promise<void>;

export const auditKey = (buildId: string) => `builds/${buildId}/audit.jsonl`;

/** A passing fault (a full disk being cleaned, a storage hiccup) gets this many more tries. */
const WRITE_RETRIES = 3;

/**
 * Every access decision, as one JSON line: in the configured file, in the process log, and, for decisions about a
 * build, hash-chained in `builds/<id>/audit.jsonl` next to its artifacts (so the record travels with the ISO).
 * Resolves once the entry is stored; rejects when it could not be (callers that must not act unaudited wait).
 */
export function createAuditLog(options: {
  file?: string;
  store?: ArtifactStore;
  /** Holds each build's entries, so concurrent decisions (from any process) all reach the shipped file. */
  records?: BuildRecords;
  logger: Logger;
  retryDelayMs?: number;
}): AuditLog {
  const retry = { retries: WRITE_RETRIES, minTimeout: options.retryDelayMs ?? 200, factor: 2 };
  return async (partial) => {
    const entry: AuditEntry = { at: new Date().toISOString(), ...partial };
    options.logger.info({ audit: entry }, 'access decision');
    try {
      if (options.file) {
        const file = options.file;
        // Each write makes sure of the directory again: a failure is retried, never remembered.
        await pRetry(async () => {
          await mkdir(dirname(file), { recursive: true });
          await appendFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
        }, retry);
      }
      if (entry.buildId && options.records) {
        const { records, store } = options;
        const buildId = entry.buildId;
        await pRetry(() => appendChained(records, buildId, entry), retry);
        if (store) await pRetry(() => shipBuildAudit(store, records, buildId), retry);
      }
    } catch (error) {
      options.logger.error({ error: String(error), audit: entry }, 'could not write the audit log');
      throw error;
    }
  };
}

/** Adds the entry to the build's chain in Redis, under the build's audit lock so that two writers never fork it. */
async function appendChained(records: BuildRecords, buildId: string, entry: AuditEntry): Promise<void> {
  const done = await records.withLock(
    `audit-${buildId}`,
    async () => {
      const lines = await records.auditLines(buildId);
      await records.appendAudit(buildId, chainLine({ ...entry }, lines.at(-1)));
      return true;
    },
    { waitMs: 5000 },
  );
  if (!done) throw new Error(`audit lock for ${buildId} stayed busy`);
}

/** Rewrites builds/<id>/audit.jsonl from every entry: whoever writes last writes them all. */
async function shipBuildAudit(store: ArtifactStore, records: BuildRecords, buildId: string): Promise<void> {
  const written = await records.withLock(
    `audit-${buildId}`,
    async () => {
      const lines = await records.auditLines(buildId);
      await store.putObject(auditKey(buildId), lines.join(''), 'application/x-ndjson');
      return true;
    },
    { waitMs: 5000 },
  );
  if (!written) throw new Error(`audit lock for ${buildId} stayed busy`);
}
