import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { childProcessEnv } from '../config/child-env.ts';
import { AppError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import { freePort } from './free-port.ts';
import { claimRedisDir, REDIS_PID_FILE } from './redis-leftovers.ts';

export interface EmbeddedRedisOptions {
  /** Absolute data directory (`<DATA_DIR>/redis`): the append-only file lives here. */
  dir: string;
  /** requirepass: other local users cannot use the queue. Given on stdin, so it never shows in `ps`. */
  password: string;
  logger: Logger;
  /** The redis-server executable; default `redis-server` from PATH. */
  executable?: string;
  startTimeoutMs?: number;
  /** SIGTERM, then SIGKILL after this long. */
  stopTimeoutMs?: number;
}

export interface EmbeddedRedis {
  /** redis://:<password>@127.0.0.1:<port> */
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const NOT_INSTALLED =
  'redis-server is not installed: apt-get install redis-server / dnf install redis, or set REDIS_URL';
const ATTEMPTS = 3;

/**
 * A private redis-server for `npm start` when REDIS_URL is unset: 127.0.0.1 on a free port, append-only file in
 * `dir`, no RDB snapshots, a random password. It runs in its own process group so a Ctrl-C in the terminal does
 * not stop it before the bot and the worker have let go of it; `stop()` (or this process exiting) ends it.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const executable = options.executable ?? 'redis-server';
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  await checkInstalled(executable);
  try {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new AppError(
      'CONFIG_INVALID',
      `cannot create the Redis data directory ${options.dir} (${(error as NodeJS.ErrnoException).code}); ` +
        'set DATA_DIR to a writable directory',
      { cause: error },
    );
  }
  const release = await claimRedisDir(options.dir, options.logger, stopTimeoutMs);
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await launch(executable, port, options, stopTimeoutMs);
      if (started.ok) return { ...started.redis, stop: stopper(started.child, release) };
      // The port may have been taken between freePort() and bind: try another one.
      if (!started.portTaken || attempt >= ATTEMPTS) {
        throw new AppError('QUEUE_UNAVAILABLE', `the embedded redis-server did not start: ${started.reason}`);
      }
    }
  } catch (error) {
    await release();
    throw error;
  }
}

async function checkInstalled(executable: string): Promise<void> {
  const probe = await execa(executable, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' });
  if ((probe.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new AppError('CONFIG_INVALID', NOT_INSTALLED);
  }
  if (probe.failed) {
    throw new AppError(
      'CONFIG_INVALID',
      `${executable} --version failed: ${(probe.shortMessage ?? '').slice(0, 300)}`,
    );
  }
}

type Launch =
  | { ok: true; child: ResultPromise; redis: Omit<EmbeddedRedis, 'stop'> }
  | { ok: false; reason: string; portTaken: boolean };

async function launch(
  executable: string,
  port: number,
  options: EmbeddedRedisOptions,
  stopTimeoutMs: number,
): Promise<Launch> {
  const args = [
    '-', // the rest of the configuration (requirepass) comes on stdin
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--appendonly',
    'yes',
    '--save',
    '',
    '--dir',
    options.dir,
    '--pidfile',
    join(options.dir, REDIS_PID_FILE),
    '--daemonize',
    'no',
    '--logfile',
    '',
    // BullMQ keeps locks and jobs in Redis: evicting them loses builds.
    '--maxmemory-policy',
    'noeviction',
  ];
  const child = execa(executable, args, {
    // redis-server needs nothing of this process's environment, which holds the Slack tokens.
    env: childProcessEnv(),
    extendEnv: false,
    input: `requirepass ${options.password}\n`,
    detached: true,
    cleanup: false,
    buffer: false,
    reject: false,
    forceKillAfterDelay: stopTimeoutMs,
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      options.logger.debug({ redis: line.slice(0, 500) }, 'redis-server');
    }
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exit: string | undefined;
  void child.then((result) => {
    exit = result.signal ? `killed by ${result.signal}` : `exited with code ${result.exitCode ?? '?'}`;
  });

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  while (exit === undefined && !(await ping(port, options.password))) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await child;
      return {
        ok: false,
        reason: `no answer on 127.0.0.1:${port}; last output:\n${tail.join('\n')}`,
        portTaken: false,
      };
    }
    await sleep(100);
  }
  if (exit !== undefined || child.pid === undefined) {
    await child;
    const output = tail.join('\n');
    return {
      ok: false,
      reason: `it ${exit}; last output:\n${output}`,
      portTaken: /address already in use/i.test(output),
    };
  }
  return {
    ok: true,
    child,
    redis: { url: `redis://:${options.password}@127.0.0.1:${port}`, port, pid: child.pid },
  };
}

function stopper(child: ResultPromise, release: () => Promise<void>) {
  // Last resort when this process exits without stop() (an uncaught error, process.exit): no orphaned server.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      process.off('exit', onExit);
      // SIGTERM makes redis fsync the append-only file and exit; execa sends SIGKILL after stopTimeoutMs
      // (forceKillAfterDelay).
      child.kill('SIGTERM');
      try {
        await child;
      } finally {
        await release();
      }
    })();
    return stopping;
  };
}

/** True when AUTH + PING on 127.0.0.1:port answers +PONG (not -LOADING or a refused connection). */
export function ping(port: number, password: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write(`AUTH ${password}\r\nPING\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.split('\r\n').length > 2) finish(reply.includes('+PONG'));
    });
  });
}
