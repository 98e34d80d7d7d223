import type { VerifyKey } from './artifact-key.ts';
import { type ChecksumEntry, PROVENANCE, parseSha256Sums, SHA256SUMS, SHA256SUMS_SIG } from './checksums.ts';
import { IN_TOTO_PAYLOAD_TYPE, openEnvelope, verifyBlob } from './dsse.ts';
import { SLSA_PROVENANCE_V1, STATEMENT_TYPE } from './provenance.ts';

/** Where a build's files are read from: a download directory, the artifact store, or files named on the command line. */
export interface BundleSource {
  /** The bytes of a small file (SHA256SUMS, its signature, the provenance), or undefined when absent. */
  read(name: string): Promise<Buffer | undefined>;
  /** Hex sha256 of an artifact, or undefined when absent. */
  sha256(name: string): Promise<string | undefined>;
}

export interface Problem {
  file: string;
  why: string;
}

export interface VerifyReport {
  ok: boolean;
  keyId: string;
  /** Artifacts whose bytes matched SHA256SUMS. */
  verified: string[];
  /** Artifacts listed but not looked at (absent with ignoreMissing, or not selected). */
  skipped: string[];
  problems: Problem[];
}

export interface VerifyOptions {
  /** Check only these artifacts (names as in SHA256SUMS). */
  only?: string[];
  /** An artifact listed in SHA256SUMS but absent is skipped instead of refused (like `sha256sum --ignore-missing`). */
  ignoreMissing?: boolean;
}

function subjectProblems(statement: unknown, listed: ChecksumEntry[]): string[] {
  const s = statement as { _type?: unknown; predicateType?: unknown; subject?: unknown } | null;
  if (typeof s !== 'object' || s === null || s._type !== STATEMENT_TYPE)
    return ['is not an in-toto Statement v1'];
  if (s.predicateType !== SLSA_PROVENANCE_V1) return [`predicate is ${String(s.predicateType)}, not SLSA v1`];
  if (!Array.isArray(s.subject)) return ['has no subject list'];
  const subjects = new Map<string, unknown>();
  for (const subject of s.subject as { name?: unknown; digest?: { sha256?: unknown } }[]) {
    subjects.set(String(subject?.name), subject?.digest?.sha256);
  }
  const problems: string[] = [];
  for (const entry of listed) {
    const digest = subjects.get(entry.name);
    if (digest === undefined) problems.push(`does not name ${entry.name}, which SHA256SUMS lists`);
    else if (digest !== entry.sha256) {
      problems.push(`says ${entry.name} has sha256 ${String(digest)}, SHA256SUMS says ${entry.sha256}`);
    }
  }
  for (const name of subjects.keys()) {
    if (!listed.some((e) => e.name === name)) problems.push(`names ${name}, which SHA256SUMS does not list`);
  }
  return problems;
}

/**
 * Checks a build the way a careful downloader would: SHA256SUMS is signed by `key`, the provenance is signed by
 * `key` and names exactly the artifacts SHA256SUMS lists, and each artifact's bytes have the listed sha256. Every
 * problem is collected (not just the first), each naming the file and why.
 */
export async function verifyBundle(
  source: BundleSource,
  key: VerifyKey,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const problems: Problem[] = [];
  const report = (verified: string[] = [], skipped: string[] = []): VerifyReport => ({
    ok: problems.length === 0,
    keyId: key.keyId,
    verified,
    skipped,
    problems,
  });
  const sums = await source.read(SHA256SUMS);
  if (!sums) {
    problems.push({ file: SHA256SUMS, why: 'is missing' });
    return report();
  }
  const signature = await source.read(SHA256SUMS_SIG);
  if (!signature) problems.push({ file: SHA256SUMS_SIG, why: 'is missing: the checksums are unsigned' });
  else if (!verifyBlob(key, sums, signature.toString('utf8'))) {
    problems.push({ file: SHA256SUMS_SIG, why: `is not a signature of this SHA256SUMS by key ${key.keyId}` });
  }
  let listed: ChecksumEntry[];
  try {
    listed = parseSha256Sums(sums.toString('utf8'));
  } catch (error) {
    problems.push({ file: SHA256SUMS, why: `cannot be read: ${(error as Error).message}` });
    return report();
  }

  const provenance = await source.read(PROVENANCE);
  if (!provenance) problems.push({ file: PROVENANCE, why: 'is missing' });
  else {
    let envelope: unknown;
    try {
      envelope = JSON.parse(provenance.toString('utf8'));
    } catch {
      envelope = undefined;
    }
    const opened = openEnvelope(key, envelope);
    if (!opened.ok) problems.push({ file: PROVENANCE, why: opened.why });
    else if (opened.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      problems.push({
        file: PROVENANCE,
        why: `payload type is ${opened.payloadType}, not ${IN_TOTO_PAYLOAD_TYPE}`,
      });
    } else {
      let statement: unknown;
      try {
        statement = JSON.parse(opened.payload.toString('utf8'));
      } catch {
        statement = undefined;
      }
      for (const why of subjectProblems(statement, listed)) problems.push({ file: PROVENANCE, why });
    }
  }

  for (const name of options.only ?? []) {
    if (!listed.some((e) => e.name === name))
      problems.push({ file: name, why: 'is not listed in SHA256SUMS' });
  }
  const verified: string[] = [];
  const skipped: string[] = [];
  for (const entry of listed) {
    if (options.only && !options.only.includes(entry.name)) {
      skipped.push(entry.name);
      continue;
    }
    const actual = await source.sha256(entry.name);
    if (actual === undefined) {
      if (options.ignoreMissing) skipped.push(entry.name);
      else problems.push({ file: entry.name, why: 'is missing' });
    } else if (actual !== entry.sha256) {
      problems.push({ file: entry.name, why: `has sha256 ${actual}, SHA256SUMS says ${entry.sha256}` });
    } else verified.push(entry.name);
  }
  if (verified.length === 0 && problems.length === 0) {
    problems.push({ file: SHA256SUMS, why: 'none of the files it lists was there to check' });
  }
  return report(verified, skipped);
}
