import type { Config } from '../../config/load-config.ts';
import { registryOf } from '../../domain/image-ref.ts';
import { BLOCKS, type ModalBlockId } from '../action-ids.ts';

/** Registries that answer every pull with "unauthorized" until a login: nothing from them builds without one. */
export const LOGIN_REQUIRED_REGISTRIES = ['registry.redhat.io'] as const;

type Preset = Config['presets'][string];
type LoginContext = Pick<Config, 'builders' | 'credentialRegistries'>;

function hostOf(image: string): string | undefined {
  try {
    return registryOf(image);
  } catch {
    return undefined;
  }
}

/** The first registry among `images` that needs a login the config file does not have. */
export function missingLogin(images: string[], logins: readonly string[]): string | undefined {
  for (const image of images) {
    const host = hostOf(image);
    if (host && (LOGIN_REQUIRED_REGISTRIES as readonly string[]).includes(host) && !logins.includes(host)) {
      return host;
    }
  }
  return undefined;
}

function presetImages(preset: Preset, config: LoginContext): string[] {
  const builder = Object.hasOwn(config.builders, preset.builder)
    ? config.builders[preset.builder]
    : undefined;
  return [preset.image, ...(builder ? [builder.image] : [])];
}

export function needsLoginText(host: string): string {
  return `needs ${host} credentials`;
}

/**
 * The presets as the build form offers them: those that can be built now come first (so the form's default is
 * one that works on a fresh install), and the others say in their description which credentials they need.
 * The order among each group is the config file's.
 */
export function presetsForForm(config: Pick<Config, 'presets'> & LoginContext): Config['presets'] {
  const ready: [string, Preset][] = [];
  const blocked: [string, Preset][] = [];
  for (const [name, preset] of Object.entries(config.presets)) {
    const host = missingLogin(presetImages(preset, config), config.credentialRegistries ?? []);
    if (host === undefined) ready.push([name, preset]);
    else
      blocked.push([name, { ...preset, description: `${preset.description.trim()} (needs ${host} login)` }]);
  }
  return Object.assign(Object.create(null) as Config['presets'], Object.fromEntries([...ready, ...blocked]));
}

/**
 * A submitted build whose source or builder image is on a registry that needs a missing login: the form error
 * saying what to configure, on the field that chose the image. Undefined when the build can go ahead.
 */
export function missingLoginError(
  input: { source: string; builder: { image: string }; preset?: string },
  config: LoginContext,
): { block: ModalBlockId; message: string } | undefined {
  const host = missingLogin([input.source, input.builder.image], config.credentialRegistries ?? []);
  if (host === undefined) return undefined;
  return {
    block: input.preset !== undefined ? BLOCKS.preset : BLOCKS.image,
    message:
      `This image ${needsLoginText(host)}, and none are configured: an operator adds a "registries: ${host}:" ` +
      'entry (username and passwordFile) to the config file. Until then, pick a preset without that note.',
  };
}
