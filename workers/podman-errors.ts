import { AppError } from '../src/domain/errors.ts';

/**
 * podman (containers/image) reports a registry's answer in a few fixed shapes: the registry's error code in its own
 * words (`manifest unknown`, `name unknown`, `unauthorized: ...`, `denied: ...`, `toomanyrequests: ...`), the HTTP
 * status it did not expect (`received unexpected HTTP status: 503 Service Unavailable`), or Go's network errors
 * (`dial tcp ...: connect: connection refused`). Those shapes are what we match, on the text left after every host,
 * port, path, URL, quoted string and digest is masked: a registry on port 5401 or a digest full of 404s must not
 * turn a refused connection into an authentication failure.
 */
const STATUS = /\b(?:HTTP status|status code|StatusCode)\s*:?\s*(\d{3})\b/i;
const AUTH =
  /\bunauthorized\b|authentication required|invalid username\/password|incorrect username or password/i;
const DENIED = /requested access to the resource is denied|\bdenied:/i;
const NOT_FOUND = /manifest unknown|name unknown|\bno such image\b|repository name not known/i;
const TOO_MANY = /\btoomanyrequests\b|too many requests/i;
const PLAIN_HTTP = /server gave HTTP response to HTTPS client/i;
const UNREACHABLE =
  /connection refused|no such host|i\/o timeout|TLS handshake timeout|network is unreachable|connection reset by peer|context deadline exceeded|server misbehaving|:\s*EOF\s*$/im;
const RETRY_AFTER = /retry-after:?\s*(\d{1,6})\b/i;

/** Only the meaningful tail of podman's stderr: the "Error: ..." line when there is one. */
export function podmanErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const errorLine = [...lines].reverse().find((l) => l.startsWith('Error:')) ?? lines.at(-1) ?? '';
  return errorLine.replace(/^Error:\s*/, '').slice(0, 500);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The repository of a reference, without tag or digest: what podman names in "reading manifest X in <repo>". */
function repositoryOf(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** podman's text with the names of things (which may hold any digits or words) replaced by a placeholder. */
export function maskNames(text: string, what: { registry: string; ref?: string }): string {
  const known = [what.ref, what.ref && repositoryOf(what.ref), what.registry]
    .filter((n): n is string => Boolean(n))
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const name of known) out = out.replace(new RegExp(escapeRegExp(name), 'gi'), '<name>');
  return out
    .replace(/"[^"\n]*"/g, '<name>')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
    .replace(/\bsha256:[0-9a-f]+/gi, '<digest>')
    .replace(/\[[0-9a-f:.]+\](?::\d+)?/gi, '<host>')
    .replace(/\b[\w.-]+:\d{1,5}\b/g, '<host>')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, '<host>')
    .replace(/(?:<name>|<host>|\b[\w.-]+\.[a-z]{2,})(?:\/[\w.-]+)+(?::[\w.-]+)?/gi, '<name>');
}

/** The registry's Retry-After in milliseconds when podman passed it on. */
function retryAfterOf(stderr: string): number | undefined {
  const seconds = RETRY_AFTER.exec(stderr)?.[1];
  return seconds === undefined ? undefined : Number(seconds) * 1000;
}

type Kind = 'plain-http' | 'auth' | 'denied' | 'not-found' | 'rate-limited' | 'unreachable' | 'unknown';

/** What the registry (or the network) said, read from the masked text. */
export function registryAnswerKind(masked: string): Kind {
  if (PLAIN_HTTP.test(masked)) return 'plain-http';
  const status = Number(STATUS.exec(masked)?.[1] ?? 0);
  if (TOO_MANY.test(masked) || status === 429) return 'rate-limited';
  if (NOT_FOUND.test(masked) || status === 404) return 'not-found';
  if (DENIED.test(masked) || status === 403) return 'denied';
  if (AUTH.test(masked) || status === 401) return 'auth';
  if (UNREACHABLE.test(masked) || (status >= 500 && status <= 599)) return 'unreachable';
  return 'unknown';
}

/** Turns a failed `podman login` or `podman pull` into an error a requester and an operator can act on. */
export function classifyRegistryError(stderr: string, what: { registry: string; ref?: string }): AppError {
  const detail = podmanErrorLine(stderr);
  const subject = what.ref ?? what.registry;
  const kind = registryAnswerKind(maskNames(stderr, what));
  const authFailed = () =>
    new AppError(
      'AUTH_FAILED',
      `authentication failed for ${what.registry}: check the worker's credentials for it (${detail})`,
    );
  switch (kind) {
    case 'plain-http':
      return new AppError(
        'CONFIG_INVALID',
        `registry ${what.registry} answers in plain HTTP; mark it "insecure: true" under registries in the worker config (${detail})`,
      );
    case 'auth':
      return authFailed();
    case 'denied':
      // Docker Hub answers "denied" for a repository that does not exist as well as for one these credentials
      // may not read; a pull cannot tell the two apart, a login can only mean the credentials.
      if (!what.ref) return authFailed();
      return new AppError(
        'IMAGE_NOT_FOUND',
        `image not found: ${subject}, or the worker's credentials for ${what.registry} may not read it (${detail})`,
      );
    case 'not-found':
      return new AppError('IMAGE_NOT_FOUND', `image not found: ${subject} (${detail})`);
    case 'rate-limited': {
      const retryAfterMs = retryAfterOf(stderr);
      const wait = retryAfterMs === undefined ? '' : `; it asked to wait ${retryAfterMs / 1000} s`;
      return new AppError(
        'REGISTRY_UNAVAILABLE',
        `registry ${what.registry} refused more requests for now (rate limit)${wait} (${detail})`,
        retryAfterMs === undefined ? {} : { retryAfterMs },
      );
    }
    case 'unreachable':
      return new AppError('REGISTRY_UNAVAILABLE', `registry ${what.registry} is unreachable (${detail})`);
    default:
      return new AppError('REGISTRY_UNAVAILABLE', `podman could not reach ${subject}: ${detail}`);
  }
}
