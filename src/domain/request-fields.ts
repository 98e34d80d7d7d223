import type { z } from 'zod';
import { AppError } from './errors.ts';
import { IMAGE_TYPE_NAMES } from './image-types.ts';
import { quoteForMessage } from './text-rules.ts';

/** Field paths as the Slack modal and CLI name them: `customizations.users[0].name`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? 'request' : out;
}

const LABELS: Record<string, string> = {
  request: 'build request',
  source: 'source image',
  preset: 'preset',
  builder: 'builder',
  'builder.name': 'builder',
  'builder.image': 'builder image',
  type: 'image type',
  types: 'image types',
  containerfile: 'Containerfile',
  installerPayloadRef: 'installer payload image',
  arch: 'architecture',
  rootfs: 'root filesystem',
  requestedAt: 'request time',
  rebuild: 'rebuild even if an identical ISO exists',
  requester: 'requester',
  'requester.kind': 'requester kind',
  'requester.userId': 'Slack user id',
  'requester.channelId': 'Slack channel id',
  'requester.teamId': 'Slack team id',
  'requester.user': 'CLI user',
  customizations: 'customizations',
  'customizations.users': 'users',
  'customizations.kernelAppend': 'kernel arguments',
  'customizations.kickstart': 'kickstart',
  'customizations.anacondaModules': 'Anaconda modules',
  'customizations.anacondaModules.enable': 'Anaconda modules to enable',
  'customizations.anacondaModules.disable': 'Anaconda modules to disable',
  'customizations.iso': 'ISO settings',
  'customizations.iso.volumeId': 'ISO volume id',
  'customizations.fips': 'FIPS mode',
};

const USER_FIELD_LABELS: Record<string, string> = {
  name: 'name',
  passwordHash: 'password hash',
  sshKeys: 'SSH keys',
  groups: 'groups',
};

/** A human name for a field path, used as the start of every message. */
export function labelFor(field: string): string {
  const known = LABELS[field];
  if (known) return known;
  const user = /^customizations\.users\[(\d+)\](?:\.(\w+)(?:\[(\d+)\])?)?$/.exec(field);
  if (user) {
    const who = `user ${Number(user[1]) + 1}`;
    if (!user[2]) return who;
    if (user[2] === 'sshKeys' && user[3] !== undefined) return `${who} SSH key ${Number(user[3]) + 1}`;
    if (user[2] === 'groups' && user[3] !== undefined) return `${who} group ${Number(user[3]) + 1}`;
    return `${who} ${USER_FIELD_LABELS[user[2]] ?? user[2]}`;
  }
  const item = /^(.*)\[(\d+)\]$/.exec(field);
  if (item?.[1] && LABELS[item[1]]) return `${LABELS[item[1]]} (item ${Number(item[2]) + 1})`;
  return field;
}

// Types BIB knows that are not built here; named so that asking for one gets "not here" rather than "unknown".
const OTHER_BIB_TYPES = ['ova', 'pxe-tar-xz'];

function typeMessage(input: unknown): string {
  const shown = typeof input === 'string' ? quoteForMessage(input) : String(input);
  const choose = `choose ${IMAGE_TYPE_NAMES.slice(0, -1).join(', ')} or ${IMAGE_TYPE_NAMES.at(-1)}`;
  if (typeof input === 'string' && OTHER_BIB_TYPES.includes(input)) {
    return `${shown} is not built by this service; ${choose}`;
  }
  if (input === 'bootc-generic-iso') {
    return `"bootc-generic-iso" is not available in the bootc-image-builder container yet; choose bootc-installer`;
  }
  return `unknown image type ${shown}; ${choose}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  return TYPE_NAMES[typeof input] ?? typeof input;
}

function issueMessage(issue: z.core.$ZodIssue, field: string, label: string): string {
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `${label} is required`;
      return `${label} must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${describeInput(input)}`;
    case 'invalid_value':
      if (field === 'type' || /^types\.\d+$/.test(field)) return typeMessage(input);
      return `${label}: ${typeof input === 'string' ? quoteForMessage(input) : String(input)} is not allowed; choose ${issue.values.map(String).join(', ')}`;
    case 'too_big':
      if (issue.origin === 'string' && typeof input === 'string') {
        return `${label}: ${input.length} characters is over the ${String(issue.maximum)} limit; shorten it`;
      }
      if (issue.origin === 'array' && Array.isArray(input)) {
        return `${label}: ${input.length} items is over the ${String(issue.maximum)} limit; remove some`;
      }
      return `${label} is too big (at most ${String(issue.maximum)})`;
    case 'unrecognized_keys':
      return `${label}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => quoteForMessage(k)).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'}`;
    case 'invalid_union':
      if (field === 'requester.kind') return 'requester kind must be "slack" or "cli"';
      return `${label} has an invalid form`;
    case 'invalid_format':
      if (issue.format === 'datetime')
        return `${label} must be an ISO 8601 UTC time like 2026-01-31T12:00:00Z`;
      return `${label} is not a valid ${issue.format}`;
    default:
      return `${label}: ${issue.message}`;
  }
}

/**
 * Turns zod issues into one AppError per problem, each naming the field and saying what to change. Zod's own text is a
 * last resort. Only enum misses echo the value (quoted and escaped); lengths are reported, contents are not.
 */
export function zodIssuesToErrors(issues: readonly z.core.$ZodIssue[]): AppError[] {
  return issues.map((issue) => {
    const base = fieldPath(issue.path);
    const field =
      issue.code === 'unrecognized_keys' && issue.keys.length === 1 && issue.keys[0] !== undefined
        ? fieldPath([...issue.path, issue.keys[0]])
        : base;
    const label = labelFor(issue.code === 'unrecognized_keys' ? base : field);
    const message = issueMessage(issue, base, label);
    return new AppError('INVALID_REQUEST', message, { field });
  });
}
