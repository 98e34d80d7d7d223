import type { BuildRequest, Customizations } from '../../../src/domain/build-request.ts';

/**
 * An oracle for "would bootc-image-builder (or the installer it generates) refuse this, or silently build something
 * else than asked?", written from what the builder's code does and the test-bed stand-in's refusals, independently of
 * src/: it reads the podman argv and the config.toml the worker would hand to BIB, and the features the operator
 * declared for the builder image (what that image can do), not our validators.
 */

/** What a builder image can do beyond the shipped baseline, as the operator declared it. */
export type BuilderFeatures = readonly string[];

/** `PasswordIsCrypted`: any other value is taken as plain text and hashed again, so nobody can log in. */
function keptHash(password: string, features: BuilderFeatures): boolean {
  const prefixes = ['$6$', '$5$', '$2b$', ...(features.includes('yescrypt') ? ['$y$'] : [])];
  return prefixes.some((p) => password.startsWith(p));
}

const ISO_TYPES = new Set(['iso', 'anaconda-iso', 'bootc-installer']);
const DISK_TYPES = new Set(['qcow2', 'raw', 'ami', 'vmdk', 'vhd', 'gce']);
const ROOTFS = new Set(['ext4', 'xfs', 'btrfs']);
const PROGRESS = new Set(['auto', 'verbose', 'term', 'debug']);
/** Section 8.1: what ISO builds accept (legacy ISO code also reads `iso`). */
const ISO_CUSTOMIZATIONS = new Set(['user', 'group', 'kernel', 'installer', 'fips', 'iso']);
const KNOWN_MODULES = new Set(
  [
    'Localization',
    'Network',
    'Payloads',
    'Runtime',
    'Security',
    'Services',
    'Storage',
    'Subscription',
    'Timezone',
    'Users',
  ].map((m) => `org.fedoraproject.Anaconda.Modules.${m}`),
);

/**
 * The docker/containers reference grammar (containers/image `docker/reference` regexp.go), which podman applies
 * before BIB ever sees a reference: name[:tag][@digest] with a hex digest.
 */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:.]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
export const REFERENCE = new RegExp(
  `^(${DOMAIN})/(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);

/** Problems BIB would have with a source or payload reference: it needs a tag, and podman pulls tag@digest untagged. */
export function referenceProblems(ref: string, what: string): string[] {
  const m = REFERENCE.exec(ref);
  if (!m) return [`${what} ${JSON.stringify(ref)} is not a valid reference for podman`];
  const problems: string[] = [];
  if (m[3] === undefined) problems.push(`${what} has no tag (ValidateHasContainerTags)`);
  if (m[4] !== undefined)
    problems.push(`${what} has a digest: podman pulls it by digest only, BIB then finds it untagged`);
  if (`${m[1]}/${m[2]}`.length > 255) problems.push(`${what} name is over 255 characters`);
  return problems;
}

function valuesOf(argv: readonly string[], flag: string): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a === flag && argv[i + 1] !== undefined) out.push(argv[i + 1] ?? '');
    else if (a.startsWith(`${flag}=`)) out.push(a.slice(flag.length + 1));
  });
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The BIB-side arguments: everything after the builder image (podman's own options come before it). */
function bibArgs(argv: readonly string[], builderImage: string): string[] {
  const at = argv.lastIndexOf(builderImage);
  return at < 0 ? [...argv] : argv.slice(at + 1);
}

function argvProblems(argv: readonly string[], builderImage: string, features: BuilderFeatures): string[] {
  const problems: string[] = [];
  const bib = bibArgs(argv, builderImage);
  const types = valuesOf(bib, '--type');
  const isos = types.filter((t) => ISO_TYPES.has(t));
  if (types.length === 0) problems.push('no --type flag');
  if (isos.length > 0 && types.length > 1)
    problems.push('cannot mix ISO/disk images in request (or two ISO types)');
  for (const t of types)
    if (!ISO_TYPES.has(t) && !DISK_TYPES.has(t)) problems.push(`--type ${t} is not an image type built here`);
  if (types.includes('bootc-installer') && !features.includes('bootc-installer'))
    problems.push('bootc-installer: unsupported image type on this builder');
  for (const p of valuesOf(bib, '--progress')) if (!PROGRESS.has(p)) problems.push(`unknown progress ${p}`);
  for (const fs of valuesOf(bib, '--rootfs')) if (!ROOTFS.has(fs)) problems.push(`unknown rootfs ${fs}`);
  if (valuesOf(bib, '--target-arch').length > 0) problems.push('--target-arch: ISOs cannot be cross-built');
  const payloads = valuesOf(bib, '--installer-payload-ref');
  if (types.includes('bootc-installer') && payloads.length === 0)
    problems.push('bootc-installer without --installer-payload-ref');
  for (const p of payloads) problems.push(...referenceProblems(p, 'installer payload'));
  const source = bib.at(-1) ?? '';
  if (source.startsWith('-')) problems.push('the last argument is a flag, not the source image');
  else problems.push(...referenceProblems(source, 'source image'));
  const mounts = valuesOf(argv, '-v').map((m) => m.split(':')[1]);
  if (!mounts.includes('/var/lib/containers/storage'))
    problems.push('container storage not mounted (ValidateHasContainerStorageMounted)');
  if (!mounts.includes('/output')) problems.push('/output not mounted');
  return problems;
}

/**
 * Keys ISO builds accept (and `iso` only where the builder knows it), the kickstart/user rule, ostreecontainer,
 * module names, the volume id rule, password hashes the builder would re-hash, root's password.
 */
export function blueprintProblems(blueprint: unknown, features: BuilderFeatures = []): string[] {
  if (!isRecord(blueprint)) return ['config.toml is not a table'];
  const problems: string[] = [];
  for (const key of Object.keys(blueprint))
    if (key !== 'customizations') problems.push(`top-level key ${key}`);
  const c = blueprint.customizations;
  if (c === undefined) return problems;
  if (!isRecord(c)) return [...problems, 'customizations is not a table'];
  for (const key of Object.keys(c)) {
    if (!ISO_CUSTOMIZATIONS.has(key)) problems.push(`customizations.${key} is not accepted for ISO builds`);
  }
  if (c.iso !== undefined && !features.includes('iso-customizations'))
    problems.push('unknown keys found: customizations.iso (this builder predates the section)');
  if (isRecord(c.kernel)) {
    for (const key of Object.keys(c.kernel)) {
      if (key !== 'append') problems.push(`customizations.kernel.${key} is not accepted for ISO builds`);
    }
  }
  const installer = isRecord(c.installer) ? c.installer : {};
  const kickstart = isRecord(installer.kickstart) ? installer.kickstart.contents : undefined;
  if (typeof kickstart === 'string') {
    if (c.user !== undefined || c.group !== undefined)
      problems.push(
        'customizations.installer.kickstart.contents cannot be used with customizations.user or customizations.group',
      );
    if (kickstart.split('\n').some((l) => /^\s*ostreecontainer\b/.test(l)))
      problems.push('the kickstart has its own ostreecontainer line');
  }
  const modules = isRecord(installer.modules) ? installer.modules : {};
  for (const list of ['enable', 'disable']) {
    const names = modules[list];
    if (!Array.isArray(names)) continue;
    for (const name of names) {
      if (typeof name !== 'string' || !KNOWN_MODULES.has(name))
        problems.push(`unknown Anaconda module ${JSON.stringify(name)} (Anaconda would not start)`);
    }
  }
  for (const user of Array.isArray(c.user) ? c.user : []) {
    if (!isRecord(user) || typeof user.name !== 'string' || user.name === '') {
      problems.push('a user without name');
      continue;
    }
    if (typeof user.password === 'string' && user.name === 'root')
      problems.push('a root password: the installer locks root (rootpw --lock)');
    else if (typeof user.password === 'string' && !keptHash(user.password, features))
      problems.push(`user ${user.name}: the password is re-hashed as plain text, nobody can log in`);
  }
  if (typeof kickstart === 'string' && isRecord(c.kernel) && c.kernel.append !== undefined)
    problems.push('kernel.append next to a kickstart is dropped silently');
  if (c.fips !== undefined && typeof c.fips !== 'boolean') problems.push('fips is not a boolean');
  if (isRecord(c.iso)) {
    // validateVolumeID runs even when the key is missing; ISO 9660 labels are at most 32 characters.
    const id = typeof c.iso.volume_id === 'string' ? c.iso.volume_id : '';
    if (!/^[A-Za-z0-9_-]+$/.test(id)) problems.push(`invalid volume id ${JSON.stringify(id)}`);
    if (id.length > 32) problems.push(`volume_id over 32 characters`);
    for (const key of ['application_id', 'publisher'])
      if (c.iso[key] !== undefined) problems.push(`customizations.iso.${key} is ignored by the ISO code`);
  }
  return problems;
}

/**
 * POSIX shell-style splitting as pykickstart reads a line (shlex.split(line, comments=True)). Returns undefined
 * when the line does not parse (an unterminated quote).
 */
export function kickstartTokens(line: string): string[] | undefined {
  const tokens: string[] = [];
  let token = '';
  let inToken = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (/\s/.test(ch)) {
      if (inToken) tokens.push(token);
      token = '';
      inToken = false;
    } else if (ch === '#') {
      break;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      token += line.slice(i + 1, end);
      inToken = true;
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const c = line[j] ?? '';
        const next = line[j + 1] ?? '';
        if (c === '\\' && '\\"$`\n'.includes(next) && next !== '') {
          token += next;
          j++;
        } else token += c;
      }
      if (j >= line.length) return undefined;
      inToken = true;
      i = j;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) return undefined;
      token += line[i + 1];
      inToken = true;
      i++;
    } else {
      token += ch;
      inToken = true;
    }
  }
  if (inToken) tokens.push(token);
  return tokens;
}

/**
 * The kickstart lines osbuild generates from the customizations when there is no kickstart of ours
 * (org.osbuild.kickstart: `user`, `sshkey --username NAME "KEY"`, `bootloader --append='ARGS'`), each with the
 * tokens pykickstart must read back. A value that changes the tokens has broken out of its place.
 */
function generatedKickstartProblems(c: Customizations): string[] {
  const lines: { line: string; expect: string[] }[] = [];
  for (const u of c.users) {
    const user = ['user', `--name=${u.name}`];
    if (u.groups.length > 0) user.push(`--groups=${u.groups.join(',')}`);
    if (u.passwordHash !== undefined) user.push(`--password=${u.passwordHash}`, '--iscrypted');
    lines.push({ line: user.join(' '), expect: user });
    for (const key of u.sshKeys) {
      lines.push({
        line: `sshkey --username=${u.name} "${key}"`,
        expect: ['sshkey', `--username=${u.name}`, key],
      });
    }
  }
  if (c.kernelAppend !== undefined && c.kickstart === undefined) {
    lines.push({
      line: `bootloader --append='${c.kernelAppend}'`,
      expect: ['bootloader', `--append=${c.kernelAppend}`],
    });
  }
  const problems: string[] = [];
  for (const { line, expect } of lines) {
    if (line.includes('\n') || line.includes('\r')) {
      problems.push(`kickstart line breaks in two: ${JSON.stringify(line)}`);
      continue;
    }
    const tokens = kickstartTokens(line);
    if (JSON.stringify(tokens) !== JSON.stringify(expect))
      problems.push(
        `kickstart line reads back differently: ${JSON.stringify(line)} → ${JSON.stringify(tokens)}`,
      );
  }
  return problems;
}

/**
 * Everything BIB, podman or the generated installer would refuse about an accepted request, given the argv the
 * worker builds and the config.toml it writes (already parsed with a TOML library).
 */
export function bibRefusals(
  request: BuildRequest,
  argv: readonly string[],
  blueprint: unknown,
  features: BuilderFeatures,
): string[] {
  const problems = [
    ...argvProblems(argv, request.builder.image, features),
    ...blueprintProblems(blueprint, features),
    ...generatedKickstartProblems(request.customizations),
  ];
  const custom = isRecord(blueprint) && isRecord(blueprint.customizations) ? blueprint.customizations : {};
  const installer = isRecord(custom.installer) ? custom.installer : {};
  const bib = bibArgs(argv, request.builder.image);
  if (installer.kickstart !== undefined && valuesOf(bib, '--rootfs').length > 0)
    problems.push('--rootfs next to a kickstart is dropped silently');
  if (custom.iso !== undefined && valuesOf(bib, '--type').includes('bootc-installer'))
    problems.push('bootc-installer ignores customizations.iso');
  return problems;
}
