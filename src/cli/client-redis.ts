import type { Config } from '../config/load-config.ts';
import { AppError } from '../domain/errors.ts';
import { clientFilePath, processAlive, readClientFile } from '../local/client-file.ts';

/**
 * With REDIS_URL unset, the Redis of an `npm start` in the same directory (its client file in DATA_DIR) rather
 * than the default 127.0.0.1:6379, where a distribution's own redis-server may answer that no worker reads.
 */
export async function withClientRedis(config: Config): Promise<Config> {
  if (config.redisUrlSet || config.redis.sentinel) return config;
  const client = await readClientFile(config.local.dataDir);
  if (!client) return config;
  if (!processAlive(client.pid)) {
    throw new AppError(
      'QUEUE_UNAVAILABLE',
      `${clientFilePath(config.local.dataDir)} names the Redis of npm start (pid ${client.pid}), which is no ` +
        'longer running; start npm start again, or set REDIS_URL',
    );
  }
  return { ...config, redisUrl: client.redisUrl, redis: { url: client.redisUrl } };
}
