import { basename } from 'node:path';
import { AppError, isAppError } from '../domain/errors.ts';
import { loadVerifyKey, type VerifyKey } from '../signing/artifact-key.ts';
import { directorySource, storeSource, withLocalFiles } from '../signing/bundle-sources.ts';
import { type BundleSource, type VerifyReport, verifyBundle } from '../signing/verify-bundle.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import type { Output } from './follow-build.ts';
import { clean } from './format-ops.ts';
import { parseVerifyArgs, VERIFY_USAGE } from './verify-args.ts';

export interface VerifyCommandDeps {
  out: Output;
  err: Output;
  /** The configured public key file (signing.publicKeyFile); --key wins. */
  publicKeyFile?: () => Promise<string | undefined>;
  /** The artifact store, for `verify <build-id>`; undefined when none is configured. */
  store?: () => Promise<ArtifactStore | undefined>;
}

export const NO_STORE_FOR_VERIFY =
  'bootc-iso verify <build-id> reads the build from the artifact store, and none is configured here: set the ' +
  "workers' S3_* settings (or ARTIFACT_DIR on a single host), or download the files and use --dir";

function formatReport(report: VerifyReport, where: string): string {
  const lines = report.verified.map((name) => `OK      ${clean(name, 200)}`);
  for (const p of report.problems) lines.push(`FAILED  ${clean(p.file, 200)}: ${clean(p.why, 400)}`);
  for (const name of report.skipped) lines.push(`skipped ${clean(name, 200)} (not checked)`);
  lines.push(
    report.ok
      ? `verified: ${report.verified.length} artifact(s) from ${where}, signatures by key ${report.keyId}`
      : `NOT verified: ${report.problems.length} problem(s) in ${where}; do not use these files`,
  );
  return `${lines.join('\n')}\n`;
}

/** `bootc-iso verify`: 0 verified, 1 not verified, 2 usage (returned here, so callers and tests see the code). */
export async function runVerifyCommand(argv: string[], deps: VerifyCommandDeps): Promise<number> {
  try {
    return await verify(argv, deps);
  } catch (error) {
    if (isAppError(error) && (error.code === 'INVALID_REQUEST' || error.code === 'CONFIG_INVALID')) {
      deps.err.write(`bootc-iso verify: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function verify(argv: string[], deps: VerifyCommandDeps): Promise<number> {
  const args = parseVerifyArgs(argv);
  const keyFile = args.key ?? (await deps.publicKeyFile?.());
  if (!keyFile) {
    throw new AppError(
      'CONFIG_INVALID',
      `no public key: pass --key PUB (the bot serves it at /signing-key.pub) or set signing.publicKeyFile\n\n${VERIFY_USAGE}`,
    );
  }
  const key: VerifyKey = await loadVerifyKey(keyFile);
  let source: BundleSource;
  let where: string;
  let only: string[] | undefined;
  if (args.target.kind === 'dir') {
    source = directorySource(args.target.dir);
    where = args.target.dir;
  } else {
    const store = await deps.store?.();
    if (!store) throw new AppError('CONFIG_INVALID', NO_STORE_FOR_VERIFY);
    const stored = storeSource(store, args.target.buildId);
    source = args.target.files.length > 0 ? withLocalFiles(args.target.files, stored) : stored;
    where = `build ${args.target.buildId}`;
    if (args.target.files.length > 0) only = args.target.files.map((path) => basename(path));
  }
  const report = await verifyBundle(source, key, {
    ...(only ? { only } : {}),
    ignoreMissing: args.ignoreMissing,
  });
  if (args.json) deps.out.write(`${JSON.stringify(report)}\n`);
  else (report.ok ? deps.out : deps.err).write(formatReport(report, where));
  return report.ok ? 0 : 1;
}
