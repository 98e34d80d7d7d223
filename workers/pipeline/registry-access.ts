import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from '../../src/config/load-config.ts';
import { AppError } from '../../src/domain/errors.ts';
import { registryOf } from '../../src/domain/image-ref.ts';
import { checkImageSize, DEFAULT_MAX_IMAGE_GIB } from '../image-size.ts';
import { writeSignaturePolicy } from '../signature-policy.ts';
import type { BuildContext } from './build-context.ts';

type RegistrySettings = Config['registries'][string];

export function registrySettings(ctx: BuildContext, registry: string): RegistrySettings | undefined {
  return ctx.settings.registries[registry] ?? ctx.settings.registries[registry.toLowerCase()];
}

/** Read at login time, not at start-up, so rotating a password file needs no worker restart. */
async function passwordFor(registry: string, settings: RegistrySettings): Promise<string> {
  if (settings.password !== undefined) return settings.password;
  if (!settings.passwordFile) return '';
  try {
    return (await readFile(settings.passwordFile, 'utf8')).replace(/\r?\n$/, '');
  } catch {
    throw new AppError(
      'CONFIG_INVALID',
      `the password file for ${registry} (${settings.passwordFile}) cannot be read on build host; fix registries.${registry}.passwordFile`,
    );
  }
}

/** Logs in once per registry the build needs, into the attempt's private auth file. */
export async function loginToRegistries(
  ctx: BuildContext,
  refs: string[],
  authFile: string,
): Promise<string[]> {
  const registries = [...new Set(refs.map(registryOf))];
  const loggedIn: string[] = [];
  for (const registry of registries) {
    const settings = registrySettings(ctx, registry);
    if (!settings?.username) continue;
    const password = await passwordFor(registry, settings);
    ctx.logger.info({ registry, username: settings.username }, 'podman login');
    await ctx.podman.login({
      registry,
      username: settings.username,
      password,
      authFile,
      insecure: settings.insecure,
      timeoutMs: ctx.settings.worker.timeouts.loginSeconds * 1000,
      signal: ctx.signal,
    });
    loggedIn.push(registry);
  }
  return loggedIn;
}

/** Pulls each image into root's storage (BIB cannot pull) and returns the digest podman recorded. */
export async function pullImage(ctx: BuildContext, ref: string, authFile: string): Promise<string> {
  const registry = registryOf(ref);
  const insecure = registrySettings(ctx, registry)?.insecure ?? false;
  const timeoutMs = ctx.settings.worker.timeouts.pullSeconds * 1000;
  const { imageSize } = ctx.podman;
  if (imageSize) {
    const sizeOptions = {
      authFile,
      insecure,
      arch: ctx.request.arch,
      timeoutMs,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    const maxGiB = ctx.settings.worker.maxImageGiB ?? DEFAULT_MAX_IMAGE_GIB;
    await checkImageSize(ref, maxGiB, () => imageSize(ref, sizeOptions), ctx.logger);
  }
  ctx.logger.info({ ref }, 'podman pull');
  const signatures = await writeSignaturePolicy(
    join(dirname(authFile), 'signatures'),
    ctx.settings.access?.signatures ?? {},
  );
  await ctx.podman.pull({
    signaturePolicy: signatures.policyPath,
    ...(signatures.home ? { registriesHome: signatures.home } : {}),
    ref,
    registry,
    authFile,
    insecure: registrySettings(ctx, registry)?.insecure ?? false,
    timeoutMs: ctx.settings.worker.timeouts.pullSeconds * 1000,
    signal: ctx.signal,
  });
  return ctx.podman.imageDigest(ref);
}
