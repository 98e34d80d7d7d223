import { type ParseArgsConfig, parseArgs } from 'node:util';
import { normaliseBuildId } from '../domain/build-id.ts';
import { AppError } from '../domain/errors.ts';
import { quoteForMessage } from '../domain/text-rules.ts';

/** A usage error (exit 2) that ends with the command's usage text. */
export function usageError(message: string, usage: string): AppError {
  return new AppError('INVALID_REQUEST', `${message}\n\n${usage}`);
}

/** node:util parseArgs, strict, with its errors turned into usage errors. */
export function parseOpsArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw usageError((error as Error).message, usage);
  }
}

/** Exactly one positional build id, read as forgivingly as Slack reads it (I/l → 1, O → 0). */
export function buildIdArg(positionals: string[], usage: string): string {
  const [raw, ...extra] = positionals;
  if (raw === undefined) throw usageError('give a build id', usage);
  if (extra.length > 0)
    throw usageError(`one build id only; remove ${quoteForMessage(extra.join(' '), 40)}`, usage);
  const id = normaliseBuildId(raw);
  if (!id) throw usageError(`${quoteForMessage(raw, 40)} is not a build id (ids look like b7k2m9qxz)`, usage);
  return id;
}
