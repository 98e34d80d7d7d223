import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../logger.ts';
import type { ArtifactStore } from '../../storage/artifact-store.ts';
import type { BuildRecords } from '../build-records.ts';

export interface AuditEntry {
  at: string;
  /** Slack user ID of the person who asked. */
  who: string;
  channel?: string;
  action: 'build' | 'cancel' | 'retry' | 'fresh-link';
  allowed: boolean;
  reason?: string;
  buildId?: string;
  /** What was asked for: preset name or image reference. */
  target?: string;
}

export type AuditLog = (entry: Omit<AuditEntry, 'at'>) => Promise<void>;

export const auditKey = (buildId: string) => `builds/${buildId}/audit.jsonl`;

/**
 * Every access decision, as one JSON line: in the configured file, in the process log, and, for decisions about a
 * build, in `builds/<id>/audit.jsonl` next to its artifacts (so the record travels with the ISO).
 */
export function createAuditLog(options: {
  file?: string;
  store?: ArtifactStore;
  /** Holds each build's entries, so concurrent decisions (from any bot process) all reach the shipped file. */
  records?: BuildRecords;
  logger: Logger;
}): AuditLog {
  let ready: Promise<unknown> | undefined;
  return async (partial) => {
    const entry: AuditEntry = { at: new Date().toISOString(), ...partial };
    const line = `${JSON.stringify(entry)}\n`;
    options.logger.info({ audit: entry }, 'access decision');
    try {
      if (options.file) {
        const file = options.file;
        ready ??= mkdir(dirname(file), { recursive: true });
        await ready;
        await appendFile(file, line, { mode: 0o600 });
      }
      if (entry.buildId && options.store && options.records) {
        await shipBuildAudit(options.store, options.records, entry.buildId, line);
      }
    } catch (error) {
      // An audit write that fails must be visible to operators, but it does not undo the decision.
      options.logger.error({ error: String(error), audit: entry }, 'could not write the audit log');
    }
  };
}

/**
 * Appends to the build's entries in Redis (atomic), then rewrites builds/<id>/audit.jsonl from all of them under the
 * build's audit lock: whoever writes last writes every entry, so no concurrent decision is lost.
 */
async function shipBuildAudit(store: ArtifactStore, records: BuildRecords, buildId: string, line: string) {
  await records.appendAudit(buildId, line);
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
