import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { describeRedis, redisClientOptions } from '../../../src/queue/connection.ts';

/** What ioredis makes of createRedis's arguments, without connecting (lazyConnect). */
function resolved(...args: Parameters<typeof redisClientOptions>) {
  const { url, options } = redisClientOptions(...args);
  const redis = new Redis(url, { ...options, lazyConnect: true });
  const out = redis.options;
  redis.disconnect();
  return out;
}

describe('Redis connection options', () => {
  it('take TLS, user, password and database from a rediss:// URL', () => {
    const options = resolved('rediss://bootc:p%40ss@redis.example:6380/3', 'worker');
    expect(options).toMatchObject({
      host: 'redis.example',
      port: 6380,
      username: 'bootc',
      password: 'p@ss',
      db: 3,
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    });
    expect(options.tls).toBeTruthy();
  });

  it('fail fast for producers and use no TLS for redis://', () => {
    const options = resolved({ url: 'redis://:secret@10.0.0.5' }, 'producer');
    expect(options).toMatchObject({
      host: '10.0.0.5',
      port: 6379,
      password: 'secret',
      enableOfflineQueue: false,
    });
    expect(options.maxRetriesPerRequest).toBe(1);
    expect(options.tls).toBeFalsy();
  });

  it('ask the sentinels for the master, keeping the URL password for the master itself', () => {
    const sentinel = {
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'mymaster',
      password: 'sentinel-pw',
    };
    const options = resolved({ url: 'redis://:master-pw@unused:6379/1', sentinel }, 'worker');
    expect(options).toMatchObject({
      sentinels: sentinel.sentinels,
      name: 'mymaster',
      sentinelPassword: 'sentinel-pw',
      password: 'master-pw',
      db: 1,
    });
    expect(options.enableTLSForSentinelMode).toBeFalsy();
    const tls = resolved({ url: 'rediss://:pw@unused', sentinel }, 'worker');
    expect(tls).toMatchObject({ enableTLSForSentinelMode: true, sentinelTLS: {} });
  });

  it('describe where Redis is without the password', () => {
    expect(describeRedis('redis://:secret@redis.example:6380/0')).toBe('redis://redis.example:6380');
    expect(
      describeRedis({
        url: 'redis://:secret@x',
        sentinel: { sentinels: [{ host: 's1', port: 26379 }], name: 'm' },
      }),
    ).toBe('sentinel master "m" via s1:26379');
  });
});
