import { AppError } from '../domain/errors.ts';
import { COMMAND_USAGES, USAGE } from './usage.ts';

export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** Options whose value is a file name, so the shell completes paths after them. */
const FILE_OPTIONS = ['--config-file', '--config', '--kickstart'];
const GLOBAL_OPTIONS = ['--config-file', '--version', '--help'];

/** The commands with their one-line descriptions, read from the help text so the two cannot drift apart. */
export function commandList(): { name: string; summary: string }[] {
  const section = USAGE.split('commands:\n')[1]?.split('\n\n')[0] ?? '';
  return section
    .split('\n')
    .map((line) => /^ {2}(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1] as string, summary: (m[2] as string).split(':')[0]?.trim() ?? '' }));
}

/** A command's options and words, read from its usage text. */
export function commandWords(command: string): string[] {
  if (command === 'completion') return [...COMPLETION_SHELLS];
  if (command === 'cache') return ['reindex', '--json', '--help'];
  const usage = COMMAND_USAGES[command] ?? '';
  return [...new Set([...(usage.match(/--[a-z][a-z-]*/g) ?? []), '--help'])];
}

/** `bootc-iso completion bash|zsh`: a script to eval in the shell's start-up file. */
export function completionScript(shell: string | undefined): string {
  if (shell === 'bash') return bashScript();
  if (shell === 'zsh') return zshScript();
  throw new AppError(
    'INVALID_REQUEST',
    `completion needs a shell: bootc-iso completion ${COMPLETION_SHELLS.join('|')}`,
  );
}

const words = (list: string[]) => list.join(' ');

function bashScript(): string {
  const commands = commandList().map((c) => c.name);
  const cases = commands.map((c) => `    ${c}) opts="${words(commandWords(c))}" ;;`).join('\n');
  return `# bash completion for bootc-iso; load it with: eval "$(bootc-iso completion bash)"
_bootc_iso() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" opts="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --config-file) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
    ${FILE_OPTIONS.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  case "$cmd" in
    "") opts="${words([...commands, ...GLOBAL_OPTIONS])}" ;;
${cases}
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _bootc_iso bootc-iso
`;
}

function zshScript(): string {
  const list = commandList();
  const described = list.map((c) => `    '${c.name}:${c.summary.replaceAll("'", '')}'`).join('\n');
  const cases = list.map((c) => `    ${c.name}) compadd -- ${words(commandWords(c.name))} ;;`).join('\n');
  return `#compdef bootc-iso
# zsh completion for bootc-iso; load it with: eval "$(bootc-iso completion zsh)" (after compinit)
_bootc_iso() {
  local cmd="" i
  local -a commands
  commands=(
${described}
  )
  for ((i = 2; i < CURRENT; i++)); do
    case "\${words[i]}" in
      --config-file) ((i++)) ;;
      -*) ;;
      *) cmd="\${words[i]}"; break ;;
    esac
  done
  case "\${words[CURRENT-1]}" in
    ${FILE_OPTIONS.join('|')}) _files; return ;;
  esac
  if [[ -z $cmd ]]; then
    _describe 'command' commands
    compadd -- ${words(GLOBAL_OPTIONS)}
    return
  fi
  case "$cmd" in
${cases}
  esac
}
compdef _bootc_iso bootc-iso
`;
}
