import { createHash } from 'node:crypto';
import { parse, stringify, TomlError } from 'smol-toml';
import { z } from 'zod';
import {
  BlueprintDisk,
  BlueprintSize,
  fromBlueprintDisk,
  parseBlueprintSize,
  toBlueprintDisk,
} from './bib-disk-config.ts';
import { Customizations, type UserCustomization } from './build-request.ts';
import { AppError } from './errors.ts';
import type { ImageFamily } from './image-types.ts';
import { fieldPath, zodIssuesToErrors } from './request-fields.ts';
import { MAX_SSH_KEYS_PER_USER } from './validate-customizations.ts';

/**
 * The osbuild blueprint BIB reads from /config.toml, written only through smol-toml so that no string can break out
 * of its TOML value. This layer is a faithful serialiser: whether a value is safe inside the kickstart BIB generates
 * from it is decided by validateBuildRequest, which the worker runs first.
 */

const BlueprintUser = z.strictObject({
  name: z.string(),
  password: z.string().optional(),
  key: z.string().optional(),
  groups: z.array(z.string()).optional(),
});
const StringList = z.array(z.string()).optional();
const BlueprintFilesystem = z.strictObject({ mountpoint: z.string(), minsize: BlueprintSize });
const BlueprintDirectory = z.strictObject({ path: z.string(), mode: z.string().optional() });
const BlueprintFile = z.strictObject({ path: z.string(), data: z.string(), mode: z.string().optional() });
const Blueprint = z.strictObject({
  customizations: z
    .strictObject({
      user: z.array(BlueprintUser).optional(),
      kernel: z.strictObject({ append: z.string() }).optional(),
      installer: z
        .strictObject({
          kickstart: z.strictObject({ contents: z.string() }).optional(),
          modules: z.strictObject({ enable: StringList, disable: StringList }).optional(),
        })
        .optional(),
      // Read leniently so that a hand-written file gets a message naming the problem; written with volume_id only.
      iso: z
        .strictObject({
          volume_id: z.string().optional(),
          application_id: z.string().optional(),
          publisher: z.string().optional(),
        })
        .optional(),
      fips: z.boolean().optional(),
      filesystem: z.array(BlueprintFilesystem).optional(),
      directories: z.array(BlueprintDirectory).optional(),
      files: z.array(BlueprintFile).optional(),
      disk: BlueprintDisk.optional(),
    })
    .optional(),
});
type Blueprint = z.infer<typeof Blueprint>;
type BlueprintCustomizations = NonNullable<Blueprint['customizations']>;

/** Sets key only when value is present, so that empty sections are left out of the file. */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function toBlueprintUser(u: UserCustomization): z.infer<typeof BlueprintUser> {
  // BIB's `key` is one string, written as `sshkey --username NAME "KEY"`; see MAX_SSH_KEYS_PER_USER.
  if (u.sshKeys.length > MAX_SSH_KEYS_PER_USER) {
    throw new AppError(
      'INVALID_REQUEST',
      `user ${u.name} has ${u.sshKeys.length} SSH keys; bootc-image-builder takes one key per user for installer ISOs`,
      { field: 'customizations.users' },
    );
  }
  const user: z.infer<typeof BlueprintUser> = { name: u.name };
  put(user, 'password', u.passwordHash);
  put(user, 'key', u.sshKeys[0]);
  if (u.groups.length > 0) user.groups = u.groups;
  return user;
}

/** Which settings a config holds: one family's, or all of them (the hash, and reading a file back). */
type ConfigFor = ImageFamily | 'all';

function toBlueprint(c: Customizations, family: ConfigFor = 'iso'): Blueprint {
  const iso = family !== 'disk';
  const disk = family !== 'iso';
  const out: BlueprintCustomizations = {};
  if (c.users.length > 0) out.user = c.users.map(toBlueprintUser);
  if (c.kernelAppend !== undefined) out.kernel = { append: c.kernelAppend };
  const installer: NonNullable<BlueprintCustomizations['installer']> = {};
  if (c.kickstart !== undefined) installer.kickstart = { contents: c.kickstart };
  const modules: { enable?: string[]; disable?: string[] } = {};
  if (c.anacondaModules?.enable.length) modules.enable = c.anacondaModules.enable;
  if (c.anacondaModules?.disable.length) modules.disable = c.anacondaModules.disable;
  if (Object.keys(modules).length > 0) installer.modules = modules;
  // The installer and the ISO label only exist on ISOs: the builder refuses them for disk images.
  if (iso && Object.keys(installer).length > 0) out.installer = installer;
  if (iso && c.iso) out.iso = { volume_id: c.iso.volumeId };
  if (iso && c.fips) out.fips = true;
  // Partitions, directories and files only exist on disk images: the builder refuses them for ISOs.
  if (disk && c.filesystems?.length)
    out.filesystem = c.filesystems.map((f) => ({ mountpoint: f.mountpoint, minsize: f.minSize }));
  if (disk && c.directories?.length)
    out.directories = c.directories.map((d) => ({ path: d.path, ...(d.mode ? { mode: d.mode } : {}) }));
  if (disk && c.files?.length)
    out.files = c.files.map((f) => ({ path: f.path, data: f.data, ...(f.mode ? { mode: f.mode } : {}) }));
  if (disk && c.disk) out.disk = toBlueprintDisk(c.disk);
  return Object.keys(out).length > 0 ? { customizations: out } : {};
}

/**
 * The config.toml for one builder run of `family`. Customizations with nothing set give an empty file, which BIB
 * accepts.
 */
export function toBibConfigToml(c: Customizations, family: ConfigFor = 'iso'): string {
  return stringify(toBlueprint(c, family));
}

function isoProblem(message: string): AppError {
  return new AppError('INVALID_REQUEST', `config.toml: ${message}`, { field: 'customizations.iso.volumeId' });
}

/** The builder ignores application_id and publisher on ISOs and refuses a section without a volume_id. */
function readVolumeId(iso: NonNullable<BlueprintCustomizations['iso']>): string {
  for (const key of ['application_id', 'publisher'] as const) {
    if (iso[key] !== undefined)
      throw isoProblem(`customizations.iso.${key} is ignored by bootc-image-builder's ISO code; remove it`);
  }
  if (iso.volume_id === undefined)
    throw isoProblem(
      'customizations.iso has no volume_id (bootc-image-builder refuses that as an invalid volume id); add volume_id or remove the section',
    );
  return iso.volume_id;
}

function fromBlueprint(b: Blueprint): Customizations {
  const c = b.customizations ?? {};
  const out: Customizations = {
    users: (c.user ?? []).map((u) => {
      const user: UserCustomization = {
        name: u.name,
        sshKeys: u.key === undefined ? [] : [u.key],
        groups: u.groups ?? [],
      };
      put(user, 'passwordHash', u.password);
      return user;
    }),
    fips: c.fips ?? false,
  };
  put(out, 'kernelAppend', c.kernel?.append);
  put(out, 'kickstart', c.installer?.kickstart?.contents);
  const modules = c.installer?.modules;
  if (modules) out.anacondaModules = { enable: modules.enable ?? [], disable: modules.disable ?? [] };
  if (c.iso) out.iso = { volumeId: readVolumeId(c.iso) };
  if (c.filesystem)
    out.filesystems = c.filesystem.map((f, i) => ({
      mountpoint: f.mountpoint,
      minSize: parseBlueprintSize(f.minsize, `customizations.filesystem[${i}].minsize`),
    }));
  if (c.directories)
    out.directories = c.directories.map((d) => ({ path: d.path, ...(d.mode ? { mode: d.mode } : {}) }));
  if (c.files)
    out.files = c.files.map((f) => ({ path: f.path, data: f.data, ...(f.mode ? { mode: f.mode } : {}) }));
  const checked = Customizations.safeParse(c.disk ? { ...out, disk: fromBlueprintDisk(c.disk) } : out, {
    reportInput: true,
  });
  if (checked.success) return checked.data;
  const issues = checked.error.issues.map((i) => ({ ...i, path: ['customizations', ...i.path] }));
  const [first] = zodIssuesToErrors(issues);
  throw (
    first ??
    new AppError('INVALID_REQUEST', 'config.toml: customizations are invalid', { field: 'customizations' })
  );
}

/**
 * Reads a blueprint back into Customizations: the inverse of toBibConfigToml, and the reader for a config.toml a user
 * hands the CLI. Only the keys this service writes are understood; anything else is refused by name.
 */
export function parseBibConfigToml(toml: string): Customizations {
  let raw: unknown;
  try {
    raw = parse(toml);
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : '';
    throw new AppError(
      'INVALID_REQUEST',
      `config.toml is not valid TOML${where}; check quoting and brackets`,
      {
        field: 'customizations',
        cause: error,
      },
    );
  }
  const parsed = Blueprint.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // A key ISO builds do not take says more than the missing sibling it displaced (kernel.name vs kernel.append).
    const { issues } = parsed.error;
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
    const path = issue ? fieldPath(issue.path) : 'request';
    const detail =
      issue?.code === 'unrecognized_keys'
        ? `${issue.keys.map((k) => (path === 'request' ? k : `${path}.${k}`)).join(', ')} is not accepted here (accepted: customizations.user, kernel.append, installer.kickstart, installer.modules, iso, fips; for disk images filesystem, disk, directories, files)`
        : issue?.code === 'invalid_type' && issue.input === undefined
          ? `${path} is missing`
          : `${path} has the wrong type${issue?.code === 'invalid_type' ? ` (expected ${issue.expected === 'string' ? 'text' : issue.expected})` : ''}`;
    throw new AppError('INVALID_REQUEST', `config.toml: ${detail}`, { field: 'customizations' });
  }
  return fromBlueprint(parsed.data);
}

/** JSON with sorted keys and no undefined members: equal values, equal text (hash inputs). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 (hex) of the blueprint BIB will see, as canonical JSON with sorted keys: two requests that produce the same
 * config.toml share a hash whatever their key order or empty sections.
 */
export function configHash(c: Customizations): string {
  return createHash('sha256')
    .update(canonicalJson(toBlueprint(c, 'all')))
    .digest('hex');
}
