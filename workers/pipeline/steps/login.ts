import { readFile } from 'node:fs/promises';
import type { Config } from '../../../src/config/load-config.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { registryOf } from '../../../src/domain/image-ref.ts';
import { type BuildContext, required } from '../build-context.ts';
import type { Step } from '../step.ts';

type RegistrySettings = Config['registries'][string];

export type LoginContext = Pick<BuildContext, 'podman' | 'signal' | 'logger'> & {
  request: Pick<BuildContext['request'], 'source' | 'builder' | 'installerPayloadRef'>;
  settings: {
    registries: Config['registries'];
    worker: { timeouts: { loginSeconds: number } };
  };
  state: Pick<BuildContext['state'], 'paths' | 'log' | 'registries'>;
};

export function registrySettings(
  registries: Config['registries'],
  registry: string,
): RegistrySettings | undefined {
  return registries[registry] ?? registries[registry.toLowerCase()];
}

/** Every image the build pulls: the builder, the source and, for bootc-installer, the payload. */
export function imagesOf(request: LoginContext['request']): string[] {
  return [
    request.builder.image,
    request.source,
    ...(request.installerPayloadRef ? [request.installerPayloadRef] : []),
  ];
}

/** Read at login time, not at start-up, so rotating a password file needs no worker restart. */
export async function passwordFor(registry: string, settings: RegistrySettings): Promise<string> {
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
export const login: Step<LoginContext> = {
  name: 'login',
  shows: 'login',
  describe: () => 'logging in to registries',
  // podman's own limit stops each login; this one bounds all of them together.
  timeoutMs: (ctx) => (ctx.settings.worker.timeouts.loginSeconds + 30) * 1000 * imagesOf(ctx.request).length,
  async run(ctx) {
    const { authFile } = required(ctx.state.paths, 'paths');
    const log = ctx.state.log;
    const loggedIn: string[] = [];
    for (const registry of new Set(imagesOf(ctx.request).map(registryOf))) {
      const settings = registrySettings(ctx.settings.registries, registry);
      if (!settings?.username) {
        log?.line(`no credentials configured for ${registry}: pulling anonymously`);
        continue;
      }
      const password = await passwordFor(registry, settings);
      log?.addSecret(password);
      ctx.logger.info({ registry, username: settings.username }, 'podman login');
      await ctx.podman.login({
        registry,
        username: settings.username,
        password,
        authFile,
        insecure: settings.insecure,
        timeoutMs: ctx.settings.worker.timeouts.loginSeconds * 1000,
        signal: ctx.signal,
        onOutput: ({ argv, output }) => {
          log?.command(argv);
          log?.output(output);
        },
      });
      loggedIn.push(registry);
    }
    ctx.state.registries = loggedIn;
  },
};
