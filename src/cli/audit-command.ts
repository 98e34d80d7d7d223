import type { Redis } from 'ioredis';
import { type ChainCheck, verifyChain } from '../slack/access/audit-chain.ts';
import { auditKey } from '../slack/access/audit-log.ts';
import { BuildRecords } from '../slack/build-records.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import type { Output } from './follow-build.ts';
import { buildIdArg, parseOpsArgs, usageError } from './ops-args.ts';

export const AUDIT_USAGE = `usage: bootc-iso audit verify <build-id> [--json]

  Checks a build's audit trail: every line of builds/<id>/audit.jsonl (and of the copy kept in Redis) must carry
  the hash of the line before it, so an edited, removed or reordered line is found. Exit code 0 when intact.
  --json   the result as JSON`;

export interface AuditCommandDeps {
  redis: Redis;
  store: ArtifactStore | undefined;
  out: Output;
}

/** `bootc-iso audit verify <id>`: 0 when every copy found is intact, 1 when one is broken or none exists. */
export async function runAuditCommand(argv: string[], deps: AuditCommandDeps): Promise<number> {
  const { values, positionals } = parseOpsArgs(argv, { json: { type: 'boolean' } }, AUDIT_USAGE);
  const [verb, ...rest] = positionals;
  if (verb !== 'verify')
    throw usageError(verb ? `unknown audit command "${verb}"` : 'say what to do: verify', AUDIT_USAGE);
  const buildId = buildIdArg(rest, AUDIT_USAGE);
  const copies: { where: string; check: ChainCheck }[] = [];
  const lines = await new BuildRecords(deps.redis).auditLines(buildId);
  if (lines.length > 0) copies.push({ where: 'redis', check: verifyChain(lines.join('')) });
  if (deps.store && (await deps.store.headObject(auditKey(buildId)))) {
    copies.push({
      where: auditKey(buildId),
      check: verifyChain(await deps.store.getObjectText(auditKey(buildId))),
    });
  }
  // The last line has no successor to vouch for it: the two copies vouch for each other instead.
  const stored = copies.length === 2 ? await deps.store?.getObjectText(auditKey(buildId)) : undefined;
  if (stored !== undefined && stored !== lines.join('')) {
    copies.push({
      where: 'copies',
      check: { ok: false, line: 0, reason: 'the stored file and the Redis copy differ' },
    });
  }
  const ok = copies.length > 0 && copies.every((c) => c.check.ok);
  if (values.json) {
    deps.out.write(`${JSON.stringify({ buildId, ok, copies })}\n`);
    return ok ? 0 : 1;
  }
  if (copies.length === 0) deps.out.write(`build ${buildId}: no audit trail found\n`);
  for (const { where, check } of copies) {
    deps.out.write(
      check.ok
        ? `build ${buildId}: ${where}: ${check.lines} entries, chain intact\n`
        : `build ${buildId}: ${where}: BROKEN at line ${check.line}: ${check.reason}\n`,
    );
  }
  return ok ? 0 : 1;
}
