import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../domain/errors.ts';

/**
 * Producers (bot, CLI) fail fast when Redis is down so a person gets an answer; workers wait outages out
 * (queue-and-storage.md A9). BullMQ requires maxRetriesPerRequest: null on blocking connections.
 */
export function createRedis(
  url: string,
  role: 'producer' | 'worker',
  onError?: (error: Error) => void,
): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 };
  const redis = new Redis(url, options);
  // Without a listener ioredis prints every failed reconnect as an "Unhandled error event" with a stack.
  redis.on('error', onError ?? (() => undefined));
  return redis;
}

/** Where Redis is, for messages: host and port only, since the URL may carry a password. */
export function describeRedis(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

/** Resolves once the connection is ready, or fails with a clear error after `timeoutMs`. */
export async function whenRedisReady(redis: Redis, url: string, timeoutMs = 5000): Promise<void> {
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
