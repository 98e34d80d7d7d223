import { normaliseBuildId } from '../../domain/build-id.ts';
import { describeCodePoint, findUnsafeChar, quoteForMessage } from '../../domain/text-rules.ts';
import { SLASH_COMMAND } from '../action-ids.ts';
import { COMMAND_NAMES, type CommandName, LIST_SCOPES } from './command-table.ts';

export type ParsedCommand = { command: CommandName; args: string[] } | { error: string };

const MAX_TEXT = 2000;
const HELP = `see ${SLASH_COMMAND} help`;

function buildIdArg(command: CommandName, args: string[]): ParsedCommand {
  const [token, ...extra] = args;
  if (token === undefined) {
    return { error: `${command} needs a build id, e.g. ${SLASH_COMMAND} ${command} b7k2m9qxz` };
  }
  if (extra.length > 0) return { error: `${command} takes one build id; remove the rest` };
  const id = normaliseBuildId(token);
  if (id === undefined) {
    return {
      error: `${quoteForMessage(token, 40)} is not a build id; ids look like b7k2m9qxz (the status message shows it)`,
    };
  }
  return { command, args: [id] };
}

/**
 * Reads the text after `/bootc-iso`: a case-insensitive command name and its arguments, separated by any
 * whitespace. Empty text means help. Errors are plain text for the user (values quoted with control characters made
 * visible); escape them before putting them into mrkdwn, as helpReply does.
 */
export function parseCommandText(text: string): ParsedCommand {
  if (text.length > MAX_TEXT)
    return { error: `that is ${text.length} characters; commands are at most ${MAX_TEXT}` };
  // Tabs and line breaks are just separators; any other control character (NUL, escape, bidi) is refused.
  const bad = findUnsafeChar(text.replace(/[\t\r\n]/g, ' '));
  if (bad)
    return { error: `the command contains the character ${describeCodePoint(bad.codePoint)}; retype it` };
  const [first, ...args] = text
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  if (first === undefined) return { command: 'help', args: [] };
  const command = COMMAND_NAMES.find((c) => c === first.toLowerCase());
  if (command === undefined) return { error: `unknown command ${quoteForMessage(first, 40)}; ${HELP}` };
  switch (command) {
    case 'status':
    case 'cancel':
    case 'retry':
      return buildIdArg(command, args);
    case 'list': {
      if (args.length > 1) return { error: `list takes at most one of ${LIST_SCOPES.join(', ')}` };
      const scope = LIST_SCOPES.find((s) => s === (args[0] ?? 'mine').toLowerCase());
      if (scope === undefined) {
        return {
          error: `list shows ${LIST_SCOPES.join(', ')} builds, not ${quoteForMessage(args[0] ?? '', 40)}`,
        };
      }
      return { command, args: [scope] };
    }
    case 'build':
      if (args.length > 1) {
        return {
          error: `build takes one preset name or image reference; the form has fields for everything else`,
        };
      }
      return { command, args };
    case 'presets':
    case 'workers':
      if (args.length > 0) return { error: `${command} takes no arguments; ${HELP}` };
      return { command, args };
    case 'help':
      return { command, args };
  }
}
