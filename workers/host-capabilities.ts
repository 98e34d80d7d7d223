import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CAPABILITIES, type Capability } from '../src/domain/capabilities.ts';

/** What the host says about its RHEL subscription, read from the files podman and subscription-manager use. */
export interface EntitlementFacts {
  /** ID from /etc/os-release (rhel, debian, fedora...), null when unreadable. */
  osId: string | null;
  /** Certificate files in /etc/pki/entitlement (a registered host has `<serial>.pem` and `<serial>-key.pem`). */
  entitlementFiles: string[];
  /** `host:container` lines of podman's mounts.conf files: how the subscription reaches containers. */
  secretsMounts: string[];
}

export const ENTITLEMENT_DIR = '/etc/pki/entitlement';
/** podman reads the first; operators may add the second. */
export const MOUNTS_CONF = ['/usr/share/containers/mounts.conf', '/etc/containers/mounts.conf'];

/**
 * Why this host cannot build RHEL ISOs, or [] when it can: a RHEL host, with entitlement certificates, that podman
 * mounts into containers as /run/secrets (the builder reads the subscription from there).
 */
export function entitlementProblems(facts: EntitlementFacts): string[] {
  const problems: string[] = [];
  if (facts.osId !== 'rhel') {
    problems.push(
      `the host runs ${facts.osId ?? 'an unknown OS'}, not RHEL: only a registered RHEL host can download RHEL installer packages`,
    );
  }
  const certs = facts.entitlementFiles.filter((f) => f.endsWith('.pem') && !f.endsWith('-key.pem'));
  const keys = facts.entitlementFiles.filter((f) => f.endsWith('-key.pem'));
  if (certs.length === 0 || keys.length === 0) {
    problems.push(
      `no entitlement certificate in ${ENTITLEMENT_DIR}: register the host (subscription-manager register) and check with subscription-manager status`,
    );
  }
  if (!facts.secretsMounts.some((m) => m.trim().split(':')[1] === '/run/secrets')) {
    problems.push(
      `podman does not pass the subscription into containers: ${MOUNTS_CONF[0]} needs the line /usr/share/rhel/secrets:/run/secrets (reinstall containers-common)`,
    );
  }
  return problems;
}

/** Reads the facts from the real files (under `root`, for tests); missing files read as empty. */
export async function readEntitlementFacts(root = '/'): Promise<EntitlementFacts> {
  const at = (path: string) => join(root, path);
  const osRelease = await readFile(at('/etc/os-release'), 'utf8').catch(() => undefined);
  const osId = osRelease ? (/^ID="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? null) : null;
  const entitlementFiles = await readdir(at(ENTITLEMENT_DIR)).catch(() => [] as string[]);
  const confs = await Promise.all(MOUNTS_CONF.map((p) => readFile(at(p), 'utf8').catch(() => '')));
  const secretsMounts = confs
    .flatMap((text) => text.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return { osId, entitlementFiles: entitlementFiles.sort(), secretsMounts };
}

export interface HostCapabilities {
  capabilities: Capability[];
  /** declared: worker.capabilities in the config; detected: read from the host. */
  source: 'declared' | 'detected';
  /** Why the host is not entitled, when detection says so (also shown when declared, as a doctor warning). */
  entitlementProblems: string[];
}

/** The host's capabilities: as the operator declared them, else as detected. */
export function hostCapabilities(
  declared: readonly Capability[] | undefined,
  facts: EntitlementFacts,
): HostCapabilities {
  const problems = entitlementProblems(facts);
  if (declared !== undefined) {
    return {
      capabilities: CAPABILITIES.filter((c) => declared.includes(c)),
      source: 'declared',
      entitlementProblems: problems,
    };
  }
  return {
    capabilities: problems.length === 0 ? ['rhel-entitlement'] : [],
    source: 'detected',
    entitlementProblems: problems,
  };
}
