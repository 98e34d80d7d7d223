import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';
import { pingRedis } from './redis.ts';
import { type Daemon, makeTempDir, spawnDaemon, tailOf, waitFor } from './util.ts';

export const SENTINEL_MASTER_NAME = 'mymaster';

export interface SentinelGroup {
  /** host:port,host:port,host:port for REDIS_SENTINELS. */
  sentinelList: string;
  /** The port of the Redis the sentinels currently name as master. */
  masterPort(): Promise<number>;
  /** SIGKILL the current master (no AOF flush, no goodbye to clients), as a crashed host would. */
  killMaster(): Promise<number>;
  /** Resolves with the new master's port once all three sentinels name a master other than `oldPort`. */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

async function redisServer(dir: string, name: string, port: number, extra: string[]): Promise<Daemon> {
  const log = join(dir, `${name}.log`);
  const daemon = spawnDaemon(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appenddirname',
      `aof-${name}`,
      '--dir',
      dir,
      '--daemonize',
      'no',
      ...extra,
    ],
    log,
  );
  await waitFor(`${name} on 127.0.0.1:${port}`, () => pingRedis(port), {
    timeoutMs: 20_000,
    abort: () => {
      const exit = daemon.exited();
      return exit && `${exit}\n${tailOf(log)}`;
    },
  });
  return daemon;
}

async function sentinel(
  dir: string,
  index: number,
  masterPort: number,
): Promise<{ daemon: Daemon; port: number }> {
  const port = await freePort();
  const conf = join(dir, `sentinel-${index}.conf`);
  // Short down-after so the test sees a failover in seconds; the sentinel rewrites this file, so it is its own.
  await writeFile(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 2000`,
      `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 10000`,
      `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
      '',
    ].join('\n'),
  );
  const log = join(dir, `sentinel-${index}.log`);
  const daemon = spawnDaemon('redis-sentinel', [conf, '--daemonize', 'no'], log);
  await waitFor(`sentinel ${index} on 127.0.0.1:${port}`, () => pingRedis(port), {
    timeoutMs: 20_000,
    abort: () => {
      const exit = daemon.exited();
      return exit && `${exit}\n${tailOf(log)}`;
    },
  });
  return { daemon, port };
}

async function askSentinel<T>(port: number, ask: (r: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    return await ask(client);
  } finally {
    client.disconnect();
  }
}

const masterOf = (port: number) =>
  askSentinel(port, async (r) => {
    const addr = (await r.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER_NAME)) as
      | string[]
      | null;
    return Number(addr?.[1] ?? 0);
  });

/**
 * A master, one replica and three sentinels (quorum 2) on 127.0.0.1 free ports, all with AOF on, in one temp
 * directory. Resolves once every sentinel knows the replica and the two other sentinels, so a failover can happen.
 */
export async function startSentinelGroup(): Promise<SentinelGroup> {
  const dir = await makeTempDir('sentinel');
  const daemons: Daemon[] = [];
  const ports = new Map<number, Daemon>();
  try {
    const masterPort = await freePort();
    const master = await redisServer(dir, 'master', masterPort, []);
    daemons.push(master);
    ports.set(masterPort, master);
    const replicaPort = await freePort();
    const replica = await redisServer(dir, 'replica', replicaPort, [
      '--replicaof',
      '127.0.0.1',
      String(masterPort),
    ]);
    daemons.push(replica);
    ports.set(replicaPort, replica);
    const sentinels: number[] = [];
    for (const i of [1, 2, 3]) {
      const s = await sentinel(dir, i, masterPort);
      daemons.push(s.daemon);
      sentinels.push(s.port);
    }
    await waitFor(
      'the sentinels to know the replica and each other',
      async () => {
        const views = await Promise.all(
          sentinels.map((p) =>
            askSentinel(p, async (r) => {
              const replicas = (await r.call('SENTINEL', 'replicas', SENTINEL_MASTER_NAME)) as unknown[];
              const others = (await r.call('SENTINEL', 'sentinels', SENTINEL_MASTER_NAME)) as unknown[];
              return replicas.length === 1 && others.length === 2;
            }),
          ),
        );
        return views.every(Boolean);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const group: SentinelGroup = {
      sentinelList: sentinels.map((p) => `127.0.0.1:${p}`).join(','),
      masterPort: () => masterOf(sentinels[0] ?? 0),
      async killMaster() {
        const port = await group.masterPort();
        const daemon = ports.get(port);
        if (!daemon) throw new Error(`sentinel group: no redis-server of ours on port ${port}`);
        daemon.subprocess.kill('SIGKILL');
        await daemon.stop(1000);
        return port;
      },
      async waitForFailover(oldPort, timeoutMs = 60_000) {
        let port = 0;
        await waitFor(
          'the sentinels to promote the replica',
          async () => {
            const named = await Promise.all(sentinels.map((p) => masterOf(p)));
            port = named[0] ?? 0;
            return named.every((n) => n === port && n !== oldPort && n !== 0) && (await pingRedis(port));
          },
          { timeoutMs, intervalMs: 200 },
        );
        return port;
      },
      async stop() {
        for (const d of [...daemons].reverse()) await d.stop(2000);
        await rm(dir, { recursive: true, force: true });
      },
    };
    return group;
  } catch (err) {
    for (const d of [...daemons].reverse()) await d.stop(1000).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
