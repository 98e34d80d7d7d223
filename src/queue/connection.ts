import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config/redis-env.ts';
import { AppError } from '../domain/errors.ts';

/**
 * Producers (bot, CLI) fail fast when Redis is down so a person gets an answer; workers wait outages out
 * (an evicting Redis would drop locks and jobs). BullMQ requires maxRetriesPerRequest: null on blocking connections.
 */
export function createRedis(
  target: string | RedisTarget,
  role: 'producer' | 'worker',
  onError?: (error: Error) => void,
): Redis {
  const { url, options } = redisClientOptions(target, role);
  const redis = new Redis(url, options);
  // Without a listener ioredis prints every failed reconnect as an "Unhandled error event" with a stack.
  redis.on('error', onError ?? (() => undefined));
  return redis;
}

/** What createRedis passes to ioredis; TLS, user, password and db come from the URL (rediss://u:p@h/db). */
export function redisClientOptions(
  target: string | RedisTarget,
  role: 'producer' | 'worker',
): { url: string; options: RedisOptions } {
  const { url, sentinel } = typeof target === 'string' ? { url: target, sentinel: undefined } : target;
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 };
  return { url, options: sentinel ? { ...options, ...sentinelOptions(url, sentinel) } : options };
}

/**
 * ioredis options for Sentinel: the sentinels name the master, so the URL's host and port are ignored; a
 * rediss:// URL means TLS to the master and to the sentinels.
 */
export function sentinelOptions(url: string, sentinel: NonNullable<RedisTarget['sentinel']>): RedisOptions {
  const tls = url.startsWith('rediss:');
  return {
    sentinels: sentinel.sentinels,
    name: sentinel.name,
    ...(sentinel.password === undefined ? {} : { sentinelPassword: sentinel.password }),
    ...(tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
  };
}

/** Where Redis is, for messages: host and port only, since the URL may carry a password. */
export function describeRedis(target: string | RedisTarget): string {
  if (typeof target !== 'string' && target.sentinel) {
    const hosts = target.sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(',');
    return `sentinel master "${target.sentinel.name}" via ${hosts}`;
  }
  const url = typeof target === 'string' ? target : target.url;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

/** Resolves once the connection is ready, or fails with a clear error after `timeoutMs`. */
export async function whenRedisReady(
  redis: Redis,
  url: string | RedisTarget,
  timeoutMs = 5000,
): Promise<void> {
  if (redis.status === 'ready') return;
  let lastError: Error | undefined;
  const onError = (error: Error) => {
    lastError = error;
  };
  redis.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch {
    const why = lastError ? ` (${(lastError as NodeJS.ErrnoException).code ?? lastError.message})` : '';
    throw new AppError(
      'QUEUE_UNAVAILABLE',
      `cannot reach Redis at ${describeRedis(url)}${why}; check REDIS_URL and that Redis is running`,
    );
  } finally {
    redis.off('error', onError);
  }
}
