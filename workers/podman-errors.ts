import { AppError } from '../src/domain/errors.ts';

const AUTH = /unauthorized|authentication required|invalid username\/password|denied|401/i;
const NOT_FOUND =
  /manifest unknown|name unknown|not found|does not exist|no such image|repository name not known/i;
const SIGNATURE = /Source image rejected|signature/i;
const PLAIN_HTTP = /server gave HTTP response to HTTPS client/i;
const UNREACHABLE =
  /connection refused|no such host|i\/o timeout|TLS handshake timeout|network is unreachable|connection reset|EOF|503|502|504|too many requests|429/i;

/** Only the meaningful tail of podman's stderr: the "Error: ..." line when there is one. */
export function podmanErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const errorLine = [...lines].reverse().find((l) => l.startsWith('Error:')) ?? lines.at(-1) ?? '';
  return errorLine.replace(/^Error:\s*/, '').slice(0, 500);
}

/** Turns a failed `podman login` or `podman pull` into an error a requester and an operator can act on. */
export function classifyRegistryError(stderr: string, what: { registry: string; ref?: string }): AppError {
  const detail = podmanErrorLine(stderr);
  const subject = what.ref ?? what.registry;
  // The signature policy refused the image: trying again cannot make it signed.
  if (SIGNATURE.test(stderr)) {
    return new AppError(
      'SIGNATURE_REJECTED',
      `${subject} is not signed as this service requires (unsigned, or signed with another key): ${detail}`,
    );
  }
  if (PLAIN_HTTP.test(stderr)) {
    return new AppError(
      'CONFIG_INVALID',
      `registry ${what.registry} answers in plain HTTP; mark it "insecure: true" under registries in the worker config (${detail})`,
    );
  }
  if (AUTH.test(stderr)) {
    return new AppError(
      'AUTH_FAILED',
      `authentication failed for ${what.registry}: check the worker's credentials for it (${detail})`,
    );
  }
  if (UNREACHABLE.test(stderr)) {
    return new AppError('REGISTRY_UNAVAILABLE', `registry ${what.registry} is unreachable (${detail})`);
  }
  if (NOT_FOUND.test(stderr)) {
    return new AppError('IMAGE_NOT_FOUND', `image not found: ${subject} (${detail})`);
  }
  return new AppError('REGISTRY_UNAVAILABLE', `podman could not reach ${subject}: ${detail}`);
}
