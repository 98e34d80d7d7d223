import { z } from 'zod';

/**
 * Who may do what, from the config file's `access` section. Slack IDs only, never names (names change and can be
 * chosen by anyone). An empty rule allows everyone, so a config without `access` keeps a single team's setup simple.
 */
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_GROUP = /^S[A-Z0-9]{2,}$/;
const SLACK_CHANNEL = /^[CGD][A-Z0-9]{2,}$/;

const ids = (pattern: RegExp, what: string) =>
  z
    .array(
      z.string().superRefine((id, ctx) => {
        if (!pattern.test(id)) {
          ctx.addIssue({
            code: 'custom',
            message: `${JSON.stringify(id)} is not a Slack ${what} ID; copy the ID (not the name) from Slack`,
          });
        }
      }),
    )
    .default([]);

/** A rule matches a person when they are listed, are in a listed user group, or ask from a listed channel. */
export const AccessRule = z.strictObject({
  users: ids(SLACK_USER, 'user'),
  userGroups: ids(SLACK_GROUP, 'user group'),
  channels: ids(SLACK_CHANNEL, 'channel'),
});
export type AccessRule = z.infer<typeof AccessRule>;

const emptyRule = (): AccessRule => ({ users: [], userGroups: [], channels: [] });

export const Access = z
  .strictObject({
    /** Who may build at all. */
    build: AccessRule.prefault({}),
    /** Who may cancel or retry anyone's build (the requester always may). */
    admins: AccessRule.omit({ channels: true }).prefault({}),
    /** Extra rule per preset name: only these may build it. */
    presets: z.record(z.string(), AccessRule).default(() => ({})),
    /** Extra rule per registry host for typed (non-preset) images. */
    registries: z.record(z.string(), AccessRule).default(() => ({})),
    /**
     * Who may supply a Containerfile of their own (a derived image runs their commands on a build host). Unlike
     * the other rules, an empty one allows nobody: presets' Containerfiles come from the operator and need no rule.
     */
    containerfiles: AccessRule.prefault({}),
    /** Builds a person, or a channel, may have queued or running at once (0 = no limit). */
    limits: z
      .strictObject({
        perUser: z.number().int().min(0).max(1000).default(3),
        perChannel: z.number().int().min(0).max(10_000).default(0),
      })
      .prefault({}),
    /** JSON-lines audit log of every decision; each build's entries are also stored next to its artifacts. */
    auditLog: z.string().optional(),
  })
  .prefault({});
export type Access = z.infer<typeof Access>;

export const ACCESS_KNOWN_KEYS: Record<string, readonly string[]> = {
  access: Object.keys(Access.unwrap().shape),
  'access.build': Object.keys(AccessRule.shape),
  'access.admins': ['users', 'userGroups'],
  'access.presets.*': Object.keys(AccessRule.shape),
  'access.registries.*': Object.keys(AccessRule.shape),
  'access.containerfiles': Object.keys(AccessRule.shape),
  'access.limits': ['perUser', 'perChannel'],
};

export function isOpenRule(rule: AccessRule | undefined): boolean {
  return !rule || (rule.users.length === 0 && rule.userGroups.length === 0 && rule.channels.length === 0);
}

export { emptyRule };
