import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignatureRule } from '../src/config/access-schema.ts';

/**
 * The containers signature policy (containers-policy.json) and registries.d settings a worker pulls through,
 * written from the config's `access.signatures` for each attempt, so the host's own /etc/containers/policy.json
 * never decides what runs in a privileged builder. Images under a rule must carry a valid signature by its key;
 * everything else is accepted as before (the operator asks for signatures where they matter).
 */
export interface SignaturePolicyFiles {
  /** For `podman pull --signature-policy`. */
  policyPath: string;
  /** A HOME whose .config/containers/registries.d says where signatures are; undefined when no rule needs one. */
  home: string | undefined;
}

/** `quay.io/myorg/` → `quay.io/myorg`: policy scopes name a host, a namespace or a repository, without a slash. */
const scopeOf = (key: string) => key.replace(/\/+$/, '');

export function policyJson(rules: Record<string, SignatureRule>): Record<string, unknown> {
  const docker: Record<string, unknown[]> = {};
  for (const [key, rule] of Object.entries(rules)) {
    docker[scopeOf(key)] = rule.signedBy
      ? [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: rule.signedBy.keyPath }]
      : [
          {
            type: 'sigstoreSigned',
            keyPath: rule.sigstoreSigned?.keyPath,
            signedIdentity: { type: 'matchRepository' },
          },
        ];
  }
  return {
    default: [{ type: 'insecureAcceptAnything' }],
    transports: {
      docker,
      // The builder reads pulled images from local storage; those were checked when pulled.
      'containers-storage': { '': [{ type: 'insecureAcceptAnything' }] },
    },
  };
}

/** registries.d YAML: where each scope's signatures are (lookaside) or that they are attached in the registry. */
export function registriesDYaml(rules: Record<string, SignatureRule>): string {
  const lines = ['docker:'];
  for (const [key, rule] of Object.entries(rules)) {
    lines.push(`  ${JSON.stringify(scopeOf(key))}:`);
    if (rule.lookaside) lines.push(`    lookaside: ${JSON.stringify(rule.lookaside)}`);
    if (rule.sigstoreSigned) lines.push('    use-sigstore-attachments: true');
  }
  return `${lines.join('\n')}\n`;
}

export async function writeSignaturePolicy(
  dir: string,
  rules: Record<string, SignatureRule>,
): Promise<SignaturePolicyFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const policyPath = join(dir, 'policy.json');
  await writeFile(policyPath, `${JSON.stringify(policyJson(rules), null, 2)}\n`, { mode: 0o600 });
  if (Object.keys(rules).length === 0) return { policyPath, home: undefined };
  const home = join(dir, 'home');
  const registriesD = join(home, '.config', 'containers', 'registries.d');
  await mkdir(registriesD, { recursive: true, mode: 0o700 });
  await writeFile(join(registriesD, 'bootc-iso.yaml'), registriesDYaml(rules), { mode: 0o600 });
  return { policyPath, home };
}
