import { Redis, type RedisOptions } from 'ioredis';

/**
 * Producers (bot, CLI) fail fast when Redis is down so a person gets an answer; workers wait outages out
 * (queue-and-storage.md A9). BullMQ requires maxRetriesPerRequest: null on blocking connections.
 */
export function createRedis(url: string, role: 'producer' | 'worker'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 };
  return new Redis(url, { ...options, lazyConnect: false });
}
