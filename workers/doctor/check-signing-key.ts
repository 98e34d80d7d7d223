import { requireConfiguredSigningKey } from '../../src/signing/publish-trust-files.ts';
import type { CheckResult } from './checks.ts';

/**
 * The worker's signing key, checked as the worker does when it starts (which it refuses to do with a key it cannot
 * use), so `bootc-iso doctor` says so before a restart.
 */
export async function checkSigningKey(
  signing: { privateKeyFile?: string | undefined } | undefined,
): Promise<CheckResult> {
  const name = 'signing key';
  try {
    const key = await requireConfiguredSigningKey(signing);
    return key
      ? { name, status: 'ok', detail: `${signing?.privateKeyFile}: ECDSA P-256, key id ${key.keyId}` }
      : { name, status: 'ok', detail: 'none configured: builds publish SHA256SUMS unsigned' };
  } catch (error) {
    return {
      name,
      status: 'fail',
      detail: (error as Error).message,
      fix: 'the worker will not start: point signing.privateKeyFile at an unencrypted ECDSA P-256 PEM key readable by the worker (see docs/verify.md, Keys), or remove it',
    };
  }
}
