import { SLASH_COMMAND } from '../action-ids.ts';

export const COMMAND_NAMES = [
  'build',
  'status',
  'list',
  'cancel',
  'retry',
  'presets',
  'workers',
  'help',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const LIST_SCOPES = ['mine', 'channel', 'all'] as const;
export type ListScope = (typeof LIST_SCOPES)[number];

export interface CommandHelp {
  name: CommandName;
  usage: string;
  description: string;
}

/** The one command table: `/bootc-iso help` is generated from it, and the parser knows the same names. */
export const COMMANDS: readonly CommandHelp[] = [
  {
    name: 'build',
    usage: `${SLASH_COMMAND} build [preset-or-image]`,
    description: 'Open the build form, optionally filled in with a preset name or an image reference',
  },
  {
    name: 'status',
    usage: `${SLASH_COMMAND} status <build-id>`,
    description: "Show a build's progress, or its download link once it is done",
  },
  {
    name: 'list',
    usage: `${SLASH_COMMAND} list [mine|channel|all]`,
    description: 'List recent builds: yours (the default), this channel’s, or everyone’s',
  },
  {
    name: 'cancel',
    usage: `${SLASH_COMMAND} cancel <build-id>`,
    description: 'Stop a queued or running build',
  },
  {
    name: 'retry',
    usage: `${SLASH_COMMAND} retry <build-id>`,
    description: 'Run a failed or cancelled build again',
  },
  {
    name: 'presets',
    usage: `${SLASH_COMMAND} presets`,
    description: 'List the preset images you can build from',
  },
  {
    name: 'workers',
    usage: `${SLASH_COMMAND} workers`,
    description: 'List the build hosts that are online, their architecture and what they are building',
  },
  { name: 'help', usage: `${SLASH_COMMAND} help`, description: 'Show this list' },
];
