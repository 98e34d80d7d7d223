/** Where a process serves /metrics, /healthz and /readyz of its own (build workers; the bot uses its PORT). */
export interface MetricsListen {
  host: string;
  /** 0 asks the OS for a free port (tests); the port in use is logged. */
  port: number;
  /**
   * True when METRICS_PORT or METRICS_HOST was set: a worker that cannot listen there stops. With the default port it only
   * warns, so a second worker on one host (or a test) still runs.
   */
  required: boolean;
  /** When set, /metrics answers only requests with `Authorization: Bearer <token>`. */
  token?: string;
}

export interface AdminCredentials {
  user: string;
  password: string;
}

export interface OpsSettings {
  /** Unset when METRICS_PORT=off. */
  metrics?: MetricsListen;
  /** The queue dashboard at /admin/queues exists only when both ADMIN_USER and ADMIN_PASSWORD are set. */
  admin?: AdminCredentials;
  /** METRICS_TOKEN: the bearer token /metrics asks for (bot and workers), when set. */
  metricsToken?: string;
}

export const DEFAULT_METRICS_HOST = '127.0.0.1';
export const DEFAULT_METRICS_PORT = 9464;
/** Shorter passwords are refused: the dashboard shows every build request in the queues. */
export const ADMIN_PASSWORD_MIN_LENGTH = 12;

/**
 * Monitoring and dashboard settings. Loopback by default: a build host exposes nothing until an operator widens
 * METRICS_HOST. Returns problems instead of throwing so loadConfig can report everything at once.
 */
export function readOpsEnv(env: Record<string, string | undefined>): {
  ops: OpsSettings;
  problems: string[];
  secrets: string[];
} {
  const get = (name: string) => (env[name] === '' ? undefined : env[name]);
  const problems: string[] = [];
  const rawPort = get('METRICS_PORT');
  const host = get('METRICS_HOST') ?? DEFAULT_METRICS_HOST;
  const user = get('ADMIN_USER');
  const password = get('ADMIN_PASSWORD');
  const token = get('METRICS_TOKEN');
  const secrets = [...(password === undefined ? [] : [password]), ...(token === undefined ? [] : [token])];
  if (token !== undefined && !/^[A-Za-z0-9._~+/=-]{16,512}$/.test(token)) {
    problems.push(
      'METRICS_TOKEN: must be 16 to 512 characters of letters, digits and ._~+/=- (e.g. openssl rand -hex 24)',
    );
  }

  let port: number | undefined = DEFAULT_METRICS_PORT;
  if (rawPort?.trim().toLowerCase() === 'off') {
    port = undefined;
  } else if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535) {
      problems.push(`METRICS_PORT: "${rawPort}" is not a TCP port; set a number from 0 to 65535, or off`);
    }
  }
  // A host name or an IP address (IPv6 without brackets), not a URL.
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(host)) {
    problems.push(
      `METRICS_HOST: "${host}" is not a host name or IP address; set e.g. 127.0.0.1 (default) or 0.0.0.0`,
    );
  }

  if (user !== undefined && password === undefined) {
    problems.push(
      'ADMIN_PASSWORD: is not set but ADMIN_USER is; set both to turn on /admin/queues, or neither',
    );
  } else if (user === undefined && password !== undefined) {
    problems.push(
      'ADMIN_USER: is not set but ADMIN_PASSWORD is; set both to turn on /admin/queues, or neither',
    );
  }
  if (user !== undefined && !/^[^\s:]{1,64}$/.test(user)) {
    problems.push(`ADMIN_USER: "${user}" is not a user name; use up to 64 characters without spaces or ":"`);
  }
  if (password !== undefined && password.length < ADMIN_PASSWORD_MIN_LENGTH) {
    problems.push(
      `ADMIN_PASSWORD: is shorter than ${ADMIN_PASSWORD_MIN_LENGTH} characters; set a longer one (e.g. openssl rand -base64 24)`,
    );
  }

  return {
    ops: {
      ...(port === undefined
        ? {}
        : {
            metrics: {
              host,
              port,
              required: rawPort !== undefined || get('METRICS_HOST') !== undefined,
              ...(token === undefined ? {} : { token }),
            },
          }),
      ...(user !== undefined && password !== undefined ? { admin: { user, password } } : {}),
      ...(token === undefined ? {} : { metricsToken: token }),
    },
    problems,
    secrets,
  };
}
