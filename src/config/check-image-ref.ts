import { parseHost } from '../domain/image-host.ts';
import { parseImageRef } from '../domain/image-ref.ts';

export type ImageRefCheck = { ok: true; registry: string } | { ok: false; problem: string };

/**
 * Check an image reference from the config file with the domain parser (fully qualified, no docker.io defaulting).
 * Source images (presets) need a tag because bootc-image-builder refuses untagged ones; builder images only need to
 * be pinned, by tag or digest.
 */
export function checkConfigImageRef(ref: string, kind: 'source' | 'builder'): ImageRefCheck {
  const label = kind === 'source' ? 'source image' : 'builder image';
  try {
    const parsed = parseImageRef(ref, { requireTag: kind === 'source', label });
    if (parsed.tag === undefined && parsed.digest === undefined) {
      return {
        ok: false,
        problem: `${label} "${ref}" has no tag or digest; pin it, e.g. ${ref}:<tag> or ${ref}@sha256:<digest>`,
      };
    }
    return { ok: true, registry: parsed.registry };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Why `value` is not a usable registry key (host or host:port, as lowercase as the parser normalises it, so lookups
 * by an image's registry find it), or undefined when it is fine.
 */
export function registryHostProblem(value: string): string | undefined {
  const host = parseHost(value);
  if (!host.ok) return `"${value}" is not a registry host[:port]: it ${host.why}`;
  if (host.host !== value) return `"${value}" must be written in lowercase; write "${host.host}"`;
  return undefined;
}
