import { z } from 'zod';

/**
 * Who may do what, from the config file's `access` section. Slack IDs only, never names (names change and can be
 * chosen by anyone). An empty rule allows everyone, so a config without `access` keeps a single team's setup simple.
 */
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_GROUP = /^S[A-Z0-9]{2,}$/;
const SLACK_CHANNEL = /^[CGD][A-Z0-9]{2,}$/;
/** `host[:port]`, optionally followed by `/path` segments and an optional trailing `/`, lowercase. */
const REGISTRY_KEY = /^[a-z0-9.-]+(?::[0-9]{1,5})?(?:\/[a-z0-9._-]+)*\/?$/;

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

/**
 * Builds under a rule with `approval` wait, outside the build queue, until `count` approvers (never the requester)
 * approve; one denial or `expiresHours` without enough approvals ends them.
 */
export const Approval = z.strictObject({
  approvers: z
    .strictObject({ users: ids(SLACK_USER, 'user'), userGroups: ids(SLACK_GROUP, 'user group') })
    .refine(
      (a) => a.users.length + a.userGroups.length > 0,
      'name at least one approver (users or userGroups)',
    ),
  count: z.number().int().min(1).max(10).default(1),
  expiresHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
});
export type Approval = z.infer<typeof Approval>;

/** A rule matches a person when they are listed, are in a listed user group, or ask from a listed channel. */
export const AccessRule = z.strictObject({
  users: ids(SLACK_USER, 'user'),
  userGroups: ids(SLACK_GROUP, 'user group'),
  channels: ids(SLACK_CHANNEL, 'channel'),
  approval: Approval.optional(),
});
export type AccessRule = z.infer<typeof AccessRule>;

const emptyRule = (): AccessRule => ({ users: [], userGroups: [], channels: [] });

const KeyPath = z.string().regex(/^\/[^\0\n]+$/, 'must be an absolute path on the build host');

/**
 * How the images of one registry, repository prefix or repository must be signed before a worker pulls them:
 * GPG "simple signing" (signatures from a lookaside URL) or sigstore (signatures attached in the registry).
 */
export const SignatureRule = z
  .strictObject({
    signedBy: z.strictObject({ keyPath: KeyPath }).optional(),
    sigstoreSigned: z.strictObject({ keyPath: KeyPath }).optional(),
    /** Where simple-signing signatures are published (https://..., or file:/// on the build host). */
    lookaside: z
      .string()
      .regex(/^(https?|file):\/\/\S+$/, 'must be an http(s):// or file:/// URL')
      .optional(),
  })
  .superRefine((rule, ctx) => {
    if ((rule.signedBy === undefined) === (rule.sigstoreSigned === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of signedBy or sigstoreSigned' });
    if (rule.signedBy && !rule.lookaside)
      ctx.addIssue({
        code: 'custom',
        message: 'signedBy needs lookaside: the URL its signatures are published at',
      });
  });
export type SignatureRule = z.infer<typeof SignatureRule>;

/** Where Red Hat, CentOS and Fedora publish their bootc base images. */
export const VENDOR_BOOTC_REPOSITORIES = [
  'registry.redhat.io/rhel9/rhel-bootc',
  'registry.redhat.io/rhel10/rhel-bootc',
  'quay.io/centos-bootc/',
  'quay.io/fedora/fedora-bootc',
] as const;

export const Access = z
  .strictObject({
    /** Who may build at all. */
    build: AccessRule.prefault({}),
    /** Who may add a custom kickstart, users or kernel arguments to a build (everyone who may build, when empty). */
    customSettings: AccessRule.omit({ approval: true }).prefault({}),
    /** Who may cancel or retry anyone's build (the requester always may). */
    admins: AccessRule.omit({ channels: true }).prefault({}),
    /** Extra rule per preset name: only these may build it. */
    presets: z.record(z.string(), AccessRule).default(() => ({})),
    /**
     * Extra rule for typed (non-preset) images, keyed by registry host (`quay.io`), repository prefix ending in `/`
     * (`quay.io/myorg/`) or repository; the most specific key wins. A registry the workers hold credentials for
     * needs a key here before anyone may type images from it.
     */
    registries: z
      .record(
        z.string().regex(REGISTRY_KEY, 'is not a registry host, repository prefix or repository'),
        AccessRule,
      )
      .default(() => ({})),
    /**
     * Typed (non-preset) images must come from one of these hosts, repository prefixes (`quay.io/myorg/`) or
     * repositories; by default the vendors' bootc repositories only. `any` lifts the list (the registry rules and
     * allowedRegistries still apply).
     */
    typedImages: z
      .union([
        z.literal('any'),
        z
          .array(z.string().regex(REGISTRY_KEY, 'is not a registry host, repository prefix or repository'))
          .min(1),
      ])
      .default(() => [...VENDOR_BOOTC_REPOSITORIES]),
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
    /**
     * Images that must be signed, keyed like `registries`; workers pull through a signature policy written from
     * this, so an unsigned or wrongly signed image is refused. Images under no key are pulled unchecked.
     */
    signatures: z
      .record(
        z.string().regex(REGISTRY_KEY, 'is not a registry host, repository prefix or repository'),
        SignatureRule,
      )
      .default(() => ({})),
    /** JSON-lines audit log of every decision; each build's entries are also stored next to its artifacts. */
    auditLog: z.string().optional(),
  })
  .prefault({});
export type Access = z.infer<typeof Access>;

export const ACCESS_KNOWN_KEYS: Record<string, readonly string[]> = {
  access: Object.keys(Access.unwrap().shape),
  'access.build': Object.keys(AccessRule.shape),
  'access.admins': ['users', 'userGroups'],
  'access.customSettings': ['users', 'userGroups', 'channels'],
  'access.presets.*': Object.keys(AccessRule.shape),
  'access.presets.*.approval': Object.keys(Approval.shape),
  'access.registries.*': Object.keys(AccessRule.shape),
  'access.containerfiles': Object.keys(AccessRule.shape),
  'access.limits': ['perUser', 'perChannel'],
  'access.signatures.*': ['signedBy', 'sigstoreSigned', 'lookaside'],
};

export function isOpenRule(rule: AccessRule | undefined): boolean {
  return !rule || (rule.users.length === 0 && rule.userGroups.length === 0 && rule.channels.length === 0);
}

export { emptyRule };
