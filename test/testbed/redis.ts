import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { type Daemon, makeTempDir, spawnDaemon, tailOf, waitFor } from './util.ts';

export interface RedisHandle {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  /** Graceful stop (AOF flushed when appendonly) and start again on the same port and directory. */
  restart(): Promise<void>;
}

/** True when a RESP PING on 127.0.0.1:port answers +PONG (not -LOADING). */
export async function pingRedis(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

async function launch(port: number, dir: string, appendonly: boolean): Promise<Daemon> {
  const log = join(dir, 'redis.log');
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
      appendonly ? 'yes' : 'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--logfile',
      '',
    ],
    log,
  );
  try {
    await waitFor(`redis-server on 127.0.0.1:${port}`, () => pingRedis(port), {
      timeoutMs: 20_000,
      abort: () => {
        const exit = daemon.exited();
        return exit && `${exit}\n${tailOf(log)}`;
      },
    });
  } catch (err) {
    await daemon.stop(1000);
    throw err;
  }
  return daemon;
}

/** A private redis-server on 127.0.0.1:<free port> with its own temp dir and no RDB snapshots. */
export async function startRedis(opts: { appendonly?: boolean } = {}): Promise<RedisHandle> {
  const appendonly = opts.appendonly ?? false;
  const dir = await makeTempDir('redis');
  let port = 0;
  let daemon: Daemon | undefined;
  try {
    for (let attempt = 1; daemon === undefined; attempt++) {
      port = await freePort();
      try {
        daemon = await launch(port, dir, appendonly);
      } catch (err) {
        if (attempt >= 3) throw err; // the port may have been taken between freePort() and bind
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let current: Daemon | undefined = daemon;
  let removed = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      await current?.stop();
      current = undefined;
      if (!removed) {
        removed = true;
        await rm(dir, { recursive: true, force: true });
      }
    },
    async restart() {
      if (removed) throw new Error('redis: restart() after stop()');
      await current?.stop();
      current = undefined;
      current = await launch(port, dir, appendonly);
    },
  };
}
