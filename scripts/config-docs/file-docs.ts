/**
 * What each field of the YAML config file means, for docs/configuration.md, keyed by its path (`<name>` stands
 * for any key of a mapping). Types, defaults and limits are not written here: the generator reads them from the
 * zod schema, and fails when the schema has a field without an entry below (or an entry names no field).
 */
/** The fields of one access rule (users, groups, channels, approval) under `prefix`. */
function ruleDocs(prefix: string, meaning: string): Record<string, string> {
  const admins = prefix === 'access.admins';
  return {
    [`${prefix}.users`]: `${meaning} Slack user IDs (\`U…\`) the rule matches.`,
    [`${prefix}.userGroups`]: 'Slack user group IDs (`S…`) whose members the rule matches.',
    ...(admins
      ? {}
      : { [`${prefix}.channels`]: 'Slack channel IDs (`C…`, `G…`) the rule matches requests from.' }),
    [`${prefix}.approval.approvers`]:
      'Who may approve (`users`, `userGroups`): builds under this rule wait, outside the queue, for approval; the requester never approves their own.',
    [`${prefix}.approval.count`]: 'Approvals needed before the build is queued.',
    [`${prefix}.approval.expiresHours`]: 'A build not approved within this time ends as expired.',
  };
}

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
  'presets.<name>.bootTest':
    'Boot every ISO of this preset in QEMU before it is published (see `bootTest`); a request can still ask for it or turn it off.',
  'presets.<name>.requires':
    "What a host must offer to run this preset's `iso`/`anaconda-iso` builds. Left out: `[rhel-entitlement]` when the source is a RHEL image from registry.redhat.io, else nothing; `[]` opts out.",
  'presets.<name>.types':
    'Image types built when a request names none, e.g. `[qcow2, raw]` (default: `iso`). See docs/image-types.md.',
  'presets.<name>.containerfile':
    'A Containerfile (a path on the host reading the config) that derives an image from `image`: builds from this preset are of the derived image.',
  'presets.<name>.packages':
    'Packages added to `image` with `dnf install -y` before the builder runs (a derived image); not together with `containerfile`.',
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
  'worker.imagePrune':
    "`{ keepDays: N }`: at start-up and hourly the worker removes images no build on this host used for N days, except the configured builders and images in use. On by default (14 days) so a host's disk does not fill; `false` turns it off.",
  'worker.maxImageGiB':
    'An image whose compressed size (read from the registry with skopeo before the pull) is over this is refused; unset means 20. Builds, the image warmer and the start-up host checks all pull through it. Without skopeo on the host the check is skipped with a warning.',
  ...ruleDocs('access.build', 'Who may build at all. An empty rule allows everyone.'),
  ...ruleDocs('access.admins', "Who may cancel or retry anyone's build, and see every build's links."),
  'access.presets':
    'An extra rule per preset name: only those it matches may build that preset, or type its repository with any tag or digest.',
  ...ruleDocs('access.presets.<name>', 'A rule, as `access.build`.'),
  'access.registries':
    'An extra rule for typed (non-preset) images, keyed by registry host, repository prefix ending in `/` or repository; the most specific key wins. A registry the workers hold credentials for needs a key here before anyone may type images from it.',
  ...ruleDocs('access.registries.<name>', 'A rule, as `access.build`.'),
  'access.customSettings':
    'Who may add a custom kickstart, users or kernel arguments (everyone who may build, when empty). Builds that use them say so in their status message.',
  'access.typedImages':
    "Where typed (non-preset) images may come from: hosts, repository prefixes (`quay.io/myorg/`) or repositories. By default the vendors' bootc repositories only; `any` lifts the list (registry rules and `allowedRegistries` still apply).",
  'access.signatures':
    'Signature rules by registry, repository prefix or repository: workers pull through a containers policy written from them, and refuse unsigned or wrongly signed images (not retried). Unset: any image is accepted.',
  'access.signatures.<name>.signedBy.keyPath':
    'GPG public key (on the build host) for simple signing; needs `lookaside`.',
  'access.signatures.<name>.sigstoreSigned.keyPath':
    'Public key (on the build host) for sigstore signatures attached in the registry.',
  'access.signatures.<name>.lookaside':
    'Where simple-signing signatures are published: `https://…` or `file:///…` on the build host.',
  'worker.derive.network':
    "Network of `podman build` for derived images: `none` (default), `host`, or `default` (podman's own).",
  'worker.derive.timeoutSeconds': 'Longest a `podman build` of a derived image may take.',
  ...ruleDocs(
    'access.containerfiles',
    'Who may supply a Containerfile of their own from Slack (it runs their commands on a build host). Unlike the other rules, an empty rule allows **nobody**; Containerfiles of presets need no rule.',
  ),
  'worker.warm.intervalMinutes':
    "Every so many minutes (and at start) the worker pulls the source and builder images of the presets it can build, so a preset build's pull is a digest check; skipped while the disk is below `minFreeDiskGiB`. `0` turns it off.",
  'access.limits.perUser': 'Builds one person may have queued or running at once (0: no limit).',
  'access.limits.perChannel': 'Builds one channel may have queued or running at once (0: no limit).',
  'access.auditLog':
    "A JSON-lines file receiving every access decision; a build's decisions are also stored next to its artifacts.",
  'notifications.dmOnFinish':
    'Send the requester a direct message from the app when their build ends (ready, failed or cancelled), besides the channel message.',
  'routing.preferWarmHosts':
    "Bot and CLI: send a build to a live host of its queue that already holds its source image (any image in the host's podman storage, as its heartbeat lists them) and has a free slot, so the pull is a digest check instead of a download. Other hosts hand such a build back for at most `preferSeconds`; when the holder is busy, draining or gone, any host takes it. `false`: every build goes to whichever host is free first.",
  'routing.preferSeconds':
    'Longest a build waits for the host it was sent to before any host of its queue takes it (the extra wait is bounded by this).',
  'signing.privateKeyFile':
    'Build workers: absolute path of the private key (unencrypted PKCS#8 or SEC1 PEM, mode 0600). Its contents never appear in messages or logs.',
  'signing.publicKeyFile':
    'Bot and CLI: absolute path of the public key (SPKI PEM). The bot serves it at `/signing-key.pub`; `bootc-iso verify` checks with it.',
  'bootTest.accel':
    '`kvm` needs a usable `/dev/kvm`; `tcg` is software emulation (works everywhere, many times slower); `auto` uses KVM when it can open it and falls back to software emulation when KVM cannot run the machine.',
  'bootTest.memoryMiB': 'Memory of the test machine.',
  'bootTest.cpus': 'Virtual CPUs of the test machine.',
  'bootTest.timeoutSeconds':
    'The marker must appear within this time, or the build fails with `BOOT_TEST_FAILED` (reason `timeout`).',
  'bootTest.marker':
    "Text on the first serial port that means the ISO booted; the default appears once the installer's kernel has started (the boot entry must send the console to `ttyS0`).",
  'bootTest.qemu': 'The QEMU executable: a name looked up on `PATH`, or an absolute path.',
  'bootTest.installTimeoutSeconds':
    'Install test (the kickstart ends with `poweroff` or `shutdown`): the installer must power the machine off within this time, or the build fails with `BOOT_TEST_FAILED` (reason `install-timeout`).',
  'bootTest.loginTimeoutSeconds':
    'Install test: the installed disk, booted on its own, must show `loginMarker` on its serial console within this time (else reason `login-timeout`, or `no-login` when the machine stops first).',
  'bootTest.loginMarker':
    "Install test: text on the installed system's first serial port that means it booted; the system must run a getty there (`console=ttyS0` among its kernel arguments).",
  'bootTest.diskGiB':
    "Install test: size of the empty qcow2 disk the installer installs to (made in the build's work directory, removed afterwards; only written blocks take space).",
  'bootTest.qemuImg':
    "The qemu-img executable that makes the install test's disk: a name looked up on `PATH`, or an absolute path.",
};
