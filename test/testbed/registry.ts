import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort } from './free-port.ts';
import { type Daemon, makeTempDir, spawnDaemon, tailOf, waitFor } from './util.ts';

export interface RegistryHandle {
  /** 127.0.0.1:PORT (plain HTTP: podman needs --tls-verify=false). */
  host: string;
  username: string;
  password: string;
  dir: string;
  stop(): Promise<void>;
  /** Takes the registry down (connections refused) while keeping its data, for outage tests. */
  pause(): Promise<void>;
  /** Brings a paused registry back on the same port with the same data. */
  resume(): Promise<void>;
}

/** The bcrypt htpasswd line for one user; the password goes over stdin, never argv. */
async function htpasswdLine(username: string, password: string): Promise<string> {
  const { stdout } = await execa('htpasswd', ['-niB', username], { input: password });
  return `${stdout.trim()}\n`;
}

function configYaml(dir: string, port: number): string {
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    'auth:',
    '  htpasswd:',
    '    realm: bootc-iso-testbed',
    `    path: ${join(dir, 'htpasswd')}`,
    '',
  ].join('\n');
}

async function v2Answers401(host: string): Promise<boolean> {
  const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status === 401;
}

/** Debian's docker-registry on 127.0.0.1:<free port> with filesystem storage and htpasswd (bcrypt) auth. */
export async function startRegistry(opts: { username: string; password: string }): Promise<RegistryHandle> {
  const dir = await makeTempDir('registry');
  let daemon: Daemon | undefined;
  let host = '';
  try {
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'htpasswd'), await htpasswdLine(opts.username, opts.password), { mode: 0o600 });
    const log = join(dir, 'registry.log');
    for (let attempt = 1; daemon === undefined; attempt++) {
      const port = await freePort();
      host = `127.0.0.1:${port}`;
      const config = join(dir, 'config.yml');
      await writeFile(config, configYaml(dir, port));
      const candidate = spawnDaemon('docker-registry', ['serve', config], log);
      try {
        await waitFor(`docker-registry on ${host}`, () => v2Answers401(host), {
          timeoutMs: 20_000,
          abort: () => {
            const exit = candidate.exited();
            return exit && `${exit}\n${tailOf(log)}`;
          },
        });
        daemon = candidate;
      } catch (err) {
        await candidate.stop(1000);
        if (attempt >= 3) throw err; // the port may have been taken between freePort() and bind
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let running: Daemon | undefined = daemon;
  let stopped = false;
  const relaunch = async () => {
    const log = join(dir, 'registry.log');
    const next = spawnDaemon('docker-registry', ['serve', join(dir, 'config.yml')], log);
    await waitFor(`docker-registry on ${host}`, () => v2Answers401(host), {
      timeoutMs: 20_000,
      abort: () => {
        const exit = next.exited();
        return exit && `${exit}\n${tailOf(log)}`;
      },
    });
    return next;
  };
  return {
    host,
    username: opts.username,
    password: opts.password,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await running?.stop();
      running = undefined;
      await rm(dir, { recursive: true, force: true });
    },
    async pause() {
      await running?.stop();
      running = undefined;
    },
    async resume() {
      if (running || stopped) return;
      running = await relaunch();
    },
  };
}
