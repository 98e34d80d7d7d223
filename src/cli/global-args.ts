import { AppError } from '../domain/errors.ts';

/** What comes before (or anywhere around) the command and applies to every command. */
export interface GlobalArgs {
  /** --config-file FILE: the YAML config file, instead of $BOOTC_ISO_CONFIG or the search path. */
  configFile?: string;
  /** --version (or -V) given where a command would be. */
  version: boolean;
  /** The command and its own arguments, with the global options taken out. */
  rest: string[];
}

/**
 * Takes `--config-file FILE` / `--config-file=FILE` out of argv wherever it stands (before `--` only, so a command
 * argument that happens to look like it is left alone), and notices `--version` in the command's place.
 */
export function parseGlobalArgs(argv: string[]): GlobalArgs {
  const rest: string[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--config-file' || arg.startsWith('--config-file=')) {
      const value = arg === '--config-file' ? argv[++i] : arg.slice('--config-file='.length);
      if (value === undefined || value === '' || (arg === '--config-file' && value.startsWith('-'))) {
        throw new AppError('INVALID_REQUEST', '--config-file needs a file name: --config-file FILE');
      }
      if (configFile !== undefined) throw new AppError('INVALID_REQUEST', '--config-file given twice');
      configFile = value;
      continue;
    }
    rest.push(arg);
  }
  const version = rest[0] === '--version' || rest[0] === '-V';
  return { ...(configFile === undefined ? {} : { configFile }), version, rest };
}
