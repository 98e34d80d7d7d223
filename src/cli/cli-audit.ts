import { hostname, userInfo } from 'node:os';
import type { Redis } from 'ioredis';
import type { Config } from '../config/load-config.ts';
import type { Logger } from '../logger.ts';
import { type AuditEntry, type AuditLog, createAuditLog } from '../slack/access/audit-log.ts';
import { BuildRecords } from '../slack/build-records.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';

/** An operator action, as the command line records it: who and where are filled in. */
export type OperatorAudit = (
  entry: Pick<AuditEntry, 'action' | 'buildId' | 'target' | 'reason'> & { allowed?: boolean },
) => Promise<void>;

/**
 * Operators hold the Redis credentials, so the command line cannot be refused anything; what it can do is leave a
 * record. Each build, cancel, retry and approval from it is audited with the OS user and the host, in the
 * configured file and in the build's hash-chained entries in Redis (from which its audit.jsonl is written).
 */
export function createOperatorAudit(
  config: Config,
  redis: Redis,
  logger: Logger,
  options: { store?: ArtifactStore; user?: string; host?: string } = {},
): OperatorAudit {
  const audit: AuditLog = createAuditLog({
    ...(config.access.auditLog ? { file: config.access.auditLog } : {}),
    ...(options.store ? { store: options.store } : {}),
    records: new BuildRecords(redis),
    logger,
  });
  const who = `cli:${(options.user ?? userInfo().username).slice(0, 64)}`;
  const host = options.host ?? hostname();
  return ({ allowed = true, ...entry }) => audit({ who, host, allowed, ...entry });
}
