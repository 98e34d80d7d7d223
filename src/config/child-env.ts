/**
 * The names a child process (podman and what it starts) may inherit: where to find programs, whose home and
 * locale, and podman's own configuration. Nothing else: the service's tokens, keys and Redis URL stay in this
 * process, so a builder container or a compromised tool cannot read them from its environment.
 */
const CHILD_ENV_NAMES = [
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'CONTAINERS_CONF',
  'CONTAINERS_STORAGE_CONF',
  'CONTAINERS_REGISTRIES_CONF',
  'CONTAINERS_POLICY_JSON',
  'REGISTRY_AUTH_FILE',
] as const;

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The whole environment of a child process: the allowed names that are set here, and always a PATH. */
export function childProcessEnv(
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const out: Record<string, string> = { PATH: DEFAULT_PATH };
  for (const name of CHILD_ENV_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}
