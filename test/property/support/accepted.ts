import { isDeepStrictEqual } from 'node:util';
import { parse } from 'smol-toml';
import type { Config } from '../../../src/config/load-config.ts';
import { parseBibConfigToml, toBibConfigToml } from '../../../src/domain/bib-config.ts';
import type { BuildRequest, Customizations } from '../../../src/domain/build-request.ts';
import { type BuildPolicy, validateBuildRequest } from '../../../src/domain/validate-build-request.ts';
import { bibRefusals } from './bib-oracle.ts';
import { type Figures, outcomeOf, record } from './figures.ts';
import { unvalidatedArgs, workerArgv } from './podman-argv.ts';

/** Plain JSON data: drops undefined fields and null prototypes (smol-toml returns null-prototype tables). */
export function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * The blueprint section 8.3 of the BIB notes describes for these customizations, written here independently of
 * src/domain/bib-config.ts: user name/password/key/groups, kernel.append, installer.kickstart.contents and
 * installer.modules, iso.volume_id (nothing else: the ISO code ignores the rest), fips. Empty sections are left out.
 */
export function expectedBlueprint(c: Customizations): unknown {
  const out: Record<string, unknown> = {};
  if (c.users.length > 0) {
    out.user = c.users.map((u) => ({
      name: u.name,
      ...(u.passwordHash !== undefined ? { password: u.passwordHash } : {}),
      ...(u.sshKeys[0] !== undefined ? { key: u.sshKeys[0] } : {}),
      ...(u.groups.length > 0 ? { groups: u.groups } : {}),
    }));
  }
  if (c.kernelAppend !== undefined) out.kernel = { append: c.kernelAppend };
  const installer: Record<string, unknown> = {};
  if (c.kickstart !== undefined) installer.kickstart = { contents: c.kickstart };
  const modules: Record<string, unknown> = {};
  if (c.anacondaModules?.enable.length) modules.enable = c.anacondaModules.enable;
  if (c.anacondaModules?.disable.length) modules.disable = c.anacondaModules.disable;
  if (Object.keys(modules).length > 0) installer.modules = modules;
  if (Object.keys(installer).length > 0) out.installer = installer;
  if (c.iso !== undefined) out.iso = { volume_id: c.iso.volumeId };
  if (c.fips) out.fips = true;
  return Object.keys(out).length > 0 ? { customizations: out } : {};
}

/** Customizations as they come back from config.toml: sections with nothing set are absent. */
export function withoutEmptySections(c: Customizations): unknown {
  const out = plain(c);
  if (typeof out !== 'object' || out === null) return out;
  const copy: Record<string, unknown> = { ...out };
  if (c.anacondaModules && c.anacondaModules.enable.length + c.anacondaModules.disable.length === 0)
    delete copy.anacondaModules;
  return copy;
}

/** config.toml for `c` parses (with smol-toml, and with our reader) back to the same values; returns the parse. */
export function checkToml(f: Figures, c: Customizations, input: unknown): unknown {
  const toml = outcomeOf(() => toBibConfigToml(c));
  if (toml.kind !== 'accepted') {
    record(
      f,
      'crashes',
      `toBibConfigToml threw: ${toml.kind === 'crash' ? toml.why : toml.error.message}`,
      input,
    );
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = plain(parse(toml.value));
  } catch (error) {
    record(f, 'tomlMismatches', `generated config.toml does not parse: ${String(error)}`, input);
    return undefined;
  }
  if (!isDeepStrictEqual(parsed, plain(expectedBlueprint(c))))
    record(f, 'tomlMismatches', `smol-toml reads ${JSON.stringify(parsed).slice(0, 200)}`, input);
  const back = outcomeOf(() => parseBibConfigToml(toml.value));
  if (back.kind !== 'accepted')
    record(f, 'tomlMismatches', `parseBibConfigToml refused our own file: ${JSON.stringify(back)}`, input);
  else if (!isDeepStrictEqual(plain(back.value), withoutEmptySections(c)))
    record(f, 'tomlMismatches', `round trip gave ${JSON.stringify(back.value).slice(0, 200)}`, input);
  return parsed;
}

/**
 * What happens to a request every producer accepted: the worker validates it again (it must come out the same),
 * builds the podman argv (every element validated), writes config.toml (parses back to the same values), and
 * bootc-image-builder must have nothing to refuse.
 */
export function checkAcceptedRequest(
  f: Figures,
  request: BuildRequest,
  config: Config,
  policy: BuildPolicy,
  input: unknown,
): void {
  const again = outcomeOf(() => validateBuildRequest(plain(request), policy));
  if (again.kind !== 'accepted') {
    record(f, 'crashes', `the worker's second validation refuses it: ${JSON.stringify(again)}`, input);
    return;
  }
  if (!isDeepStrictEqual(plain(again.value), plain(request)))
    record(f, 'crashes', 'the worker normalises the request differently', input);
  const argv = outcomeOf(() => workerArgv(request, config));
  if (argv.kind !== 'accepted') {
    record(f, 'crashes', `the worker cannot build the podman argv: ${JSON.stringify(argv)}`, input);
    return;
  }
  const unvalidated = unvalidatedArgs(argv.value, request, config);
  if (unvalidated.length > 0) record(f, 'unvalidatedPodmanArgs', unvalidated.join('; '), input);
  const blueprint = checkToml(f, request.customizations, input);
  const builder = Object.hasOwn(config.builders, request.builder.name)
    ? config.builders[request.builder.name]
    : undefined;
  const refusals = bibRefusals(request, argv.value, blueprint, builder?.features ?? []);
  if (refusals.length > 0) record(f, 'bibWouldReject', refusals.join('; '), input);
}
