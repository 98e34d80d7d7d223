import { AppError } from '../domain/errors.ts';
import { buildIdArg, parseOpsArgs, usageError } from './ops-args.ts';

export const VERIFY_USAGE = `usage: bootc-iso verify <build-id> [--file PATH ...] [--key PUB] [--ignore-missing] [--json]
       bootc-iso verify --dir DIR [--key PUB] [--ignore-missing] [--json]

  Checks a build: SHA256SUMS.sig is the signature of SHA256SUMS by the key, provenance.intoto.json is signed by the
  key and names exactly the artifacts SHA256SUMS lists, and each artifact has the listed sha256.
  <build-id>        read the build's files from the artifact store (needs the workers' S3_* settings, or ARTIFACT_DIR)
  --file PATH       check this local copy instead of the stored artifact (matched by file name; repeatable); only
                    the files given are checked
  --dir DIR         offline: everything from a directory holding the downloaded files under their published names
  --key PUB         the public key (PEM); default: signing.publicKeyFile from the config
                    (the bot serves it at /signing-key.pub)
  --ignore-missing  skip artifacts SHA256SUMS lists that are not there, instead of refusing
  --json            machine-readable output

  exit 0 verified, 1 not verified (each problem names the file and why), 2 usage`;

export type VerifyTarget = { kind: 'build'; buildId: string; files: string[] } | { kind: 'dir'; dir: string };

export interface VerifyArgs {
  target: VerifyTarget;
  key: string | undefined;
  ignoreMissing: boolean;
  json: boolean;
}

export function parseVerifyArgs(argv: string[]): VerifyArgs {
  const { values, positionals } = parseOpsArgs(
    argv,
    {
      file: { type: 'string', multiple: true },
      dir: { type: 'string' },
      key: { type: 'string' },
      'ignore-missing': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    VERIFY_USAGE,
  );
  const common = {
    key: values.key,
    ignoreMissing: values['ignore-missing'] ?? false,
    json: values.json ?? false,
  };
  if (values.key === '') throw usageError('--key needs a file', VERIFY_USAGE);
  if (values.dir !== undefined) {
    if (positionals.length > 0)
      throw usageError('--dir checks downloaded files: give no build id', VERIFY_USAGE);
    if (values.file) throw usageError('--file goes with a build id, not with --dir', VERIFY_USAGE);
    if (values.dir === '') throw usageError('--dir needs a directory', VERIFY_USAGE);
    return { target: { kind: 'dir', dir: values.dir }, ...common };
  }
  const files = values.file ?? [];
  if (files.includes('')) throw new AppError('INVALID_REQUEST', `--file needs a path\n\n${VERIFY_USAGE}`);
  return { target: { kind: 'build', buildId: buildIdArg(positionals, VERIFY_USAGE), files }, ...common };
}
