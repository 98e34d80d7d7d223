export interface SentinelAddress {
  host: string;
  port: number;
}

export interface SentinelSettings {
  sentinels: SentinelAddress[];
  /** The master group name the sentinels monitor. */
  name: string;
  password?: string;
}

/**
 * How to reach Redis: REDIS_URL alone, or Redis Sentinel. With Sentinel the URL still gives the master's
 * user/password, database and TLS (`rediss://`); its host and port are ignored, the sentinels name the master.
 */
export interface RedisTarget {
  url: string;
  sentinel?: SentinelSettings;
}

export const DEFAULT_SENTINEL_NAME = 'mymaster';
const DEFAULT_SENTINEL_PORT = 26379;

/** REDIS_SENTINELS, REDIS_SENTINEL_NAME and REDIS_SENTINEL_PASSWORD; problems are returned, not thrown. */
export function readRedisSentinelEnv(env: Record<string, string | undefined>): {
  sentinel?: SentinelSettings;
  problems: string[];
  secrets: string[];
} {
  const get = (name: string) => (env[name] === '' ? undefined : env[name]);
  const list = get('REDIS_SENTINELS');
  const name = get('REDIS_SENTINEL_NAME');
  const password = get('REDIS_SENTINEL_PASSWORD');
  const secrets = password === undefined ? [] : [password];
  if (list === undefined) {
    const orphans = [
      ...(name === undefined ? [] : ['REDIS_SENTINEL_NAME']),
      ...(password === undefined ? [] : ['REDIS_SENTINEL_PASSWORD']),
    ];
    const problems = orphans.length
      ? [
          `REDIS_SENTINELS: is not set, so ${orphans.join(' and ')} would be ignored; ` +
            'set REDIS_SENTINELS=host:port,host:port to use Redis Sentinel, or unset them',
        ]
      : [];
    return { problems, secrets };
  }

  const problems: string[] = [];
  const sentinels: SentinelAddress[] = [];
  for (const item of list.split(',').map((s) => s.trim())) {
    const address = parseAddress(item);
    if (address) sentinels.push(address);
    else {
      problems.push(
        `REDIS_SENTINELS: "${item}" is not host:port; list the sentinels as host:port,host:port (port defaults to ${DEFAULT_SENTINEL_PORT}; IPv6 as [addr]:port)`,
      );
    }
  }
  if (name !== undefined && !/^[A-Za-z0-9._-]{1,128}$/.test(name)) {
    problems.push(
      `REDIS_SENTINEL_NAME: "${name}" is not a master name; use letters, digits, ".", "_" and "-" (e.g. mymaster)`,
    );
  }
  if (problems.length > 0) return { problems, secrets };
  return {
    sentinel: {
      sentinels,
      name: name ?? DEFAULT_SENTINEL_NAME,
      ...(password === undefined ? {} : { password }),
    },
    problems,
    secrets,
  };
}

function parseAddress(item: string): SentinelAddress | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(item);
  if (!match) return undefined;
  const host = match[1] ?? match[2];
  const port = match[3] === undefined ? DEFAULT_SENTINEL_PORT : Number(match[3]);
  if (host === undefined || port < 1 || port > 65535) return undefined;
  return { host, port };
}
