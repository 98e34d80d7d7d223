/**
 * What each field of the YAML config file means, for docs/configuration.md, keyed by its path (`<name>` stands
 * for any key of a mapping). Types, defaults and limits are not written here: the generator reads them from the
 * zod schema, and fails when the schema has a field without an entry below (or an entry names no field).
 */
export const FILE_DOCS: Record<string, string> = {
  builders:
    'Named bootc-image-builder images. Giving the section replaces the whole default list. Names: lowercase letters, digits, `.`, `_`, `-` (up to 63).',
  'builders.<name>.image':
    'Fully qualified (`host/path`) and pinned by `:tag` and/or `@sha256:<digest>`; on `allowedRegistries`. The RHEL builders need registry.redhat.io credentials.',
  'builders.<name>.features':
    "What this builder image can do beyond every shipped builder: `iso-customizations` (the ISO volume label), `bootc-installer` (that type), `yescrypt` (`$y$` password hashes kept instead of re-hashed). Requests needing a feature the build's builder lacks are refused before they are queued; see docs/builder-rules.md.",
  'builders.<name>.requires':
    "What a host must offer to run this builder's `iso`/`anaconda-iso` builds: `rhel-entitlement` sends them to registered RHEL hosts only (docs/rhel-build-host.md). Left out: nothing.",
  defaultBuilder: 'The builder of a typed image that matches no preset. A key of `builders`.',
  presets:
    'Source images people pick by name, each with its builder. Giving the section replaces the whole default list. The build form offers first the presets that can be built with the credentials configured, and marks the others.',
  'presets.<name>.image':
    'Fully qualified **and tagged** (bootc-image-builder refuses untagged images; a digest may follow the tag); on `allowedRegistries`.',
  'presets.<name>.builder': 'A key of `builders`.',
  'presets.<name>.description': 'One line shown next to the name in Slack and the CLI.',
  'presets.<name>.requires':
    "What a host must offer to run this preset's `iso`/`anaconda-iso` builds. Left out: `[rhel-entitlement]` when the source is a RHEL image from registry.redhat.io, else nothing; `[]` opts out.",
  allowedRegistries:
    'Registries (`host` or `host:port`, lowercase, no scheme) source images may come from. Builder and preset images must be on it too.',
  registries:
    'Credentials the **build workers** pull with, keyed by `host` or `host:port`. The Slack bot never reads them (it only sees which hosts have an entry). A registry without an entry is pulled anonymously; every build logs in into its own private auth file.',
  'registries.<name>.username':
    'Together with exactly one of `password` / `passwordFile`; leave all three out for anonymous pulls.',
  'registries.<name>.password':
    // biome-ignore lint/suspicious/noTemplateCurlyInString: config-file syntax in documentation text
    'Inline password, normally `"${SOME_VAR}"`. Never appears in messages or logs.',
  'registries.<name>.passwordFile':
    'Absolute path of a file on the worker holding the password, read at each login (rotation needs no restart).',
  'registries.<name>.insecure':
    'Plain HTTP and no TLS verification: internal registries and the testbed only.',
  'worker.capabilities':
    "What this host offers beyond its architecture: `rhel-entitlement` (a registered RHEL host whose podman maps the subscription into containers). Left out: detected at start (RHEL, entitlement certificates, podman's secrets mount); `[]` turns detection off.",
  'worker.concurrency':
    'Builds running at once on one host. Each needs tens of GiB of disk and a loop device.',
  'worker.workDir': 'Scratch space of each build (absolute); the ISO is written here before upload.',
  'worker.containerStorage': "The host's podman storage, mounted into the builder.",
  'worker.storeCache':
    'osbuild store cache, mounted as `/store`; speeds up repeated builds. Left out: `<workDir>/store`, emptied between builds when over 25 GiB or unused for 14 days.',
  'worker.rpmmdCache':
    'RPM metadata cache, mounted as `/rpmmd`. Left out: `<workDir>/rpmmd`, pruned as the store.',
  'worker.minFreeDiskGiB':
    'A build does not start with less free space than this (GiB) in `workDir` or `containerStorage`.',
  'worker.podman': 'The podman executable: a name looked up on `PATH`, or an absolute path.',
  'worker.timeouts.loginSeconds': 'Limit of `podman login`.',
  'worker.timeouts.pullSeconds': 'Limit of pulling the source and builder images.',
  'worker.timeouts.buildSeconds': 'Limit of the bootc-image-builder run.',
  'worker.timeouts.uploadSeconds': 'Limit of the upload of the ISO.',
  'worker.attempts':
    'Attempts of a build that fails for an infrastructure reason (registry outage, full disk).',
  'worker.backoffSeconds': 'Base delay of the exponential backoff between attempts.',
  'worker.lockSeconds':
    'A build whose host stops renewing its lock this long (the host died) goes back to the queue for another worker.',
  'worker.shutdownGraceSeconds':
    'On SIGTERM, running builds may finish for this long; then they are stopped and handed back without using up an attempt.',
  'worker.warm.intervalMinutes':
    "Every so many minutes (and at start) the worker pulls the source and builder images of the presets it can build, so a preset build's pull is a digest check; skipped while the disk is below `minFreeDiskGiB`. `0` turns it off.",
  'worker.imagePrune.keepDays':
    'When set, at start-up and hourly the worker removes images no build on this host used for that many days, except the configured builders and images in use.',
  'access.build': 'Who may build at all. An empty rule allows everyone.',
  'access.admins': "Who may cancel or retry anyone's build (the requester always may).",
  'access.presets': 'An extra rule per preset name: only those it matches may build that preset.',
  'access.presets.<name>': 'A rule, as `access.build`.',
  'access.registries': 'An extra rule per registry host, for typed (non-preset) images.',
  'access.registries.<name>': 'A rule, as `access.build`.',
  'access.limits.perUser': 'Builds one person may have queued or running at once (0: no limit).',
  'access.limits.perChannel': 'Builds one channel may have queued or running at once (0: no limit).',
  'access.auditLog':
    "A JSON-lines file receiving every access decision; a build's decisions are also stored next to its artifacts.",
  'notifications.dmOnFinish':
    'Send the requester a direct message from the app when their build ends (ready, failed or cancelled), besides the channel message.',
};
