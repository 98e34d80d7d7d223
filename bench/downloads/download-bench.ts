// The local download server (src/http/local-downloads.ts: signature check, ETag, ranges) against plain static
// servers on the same file: Node's `http` + `fs.createReadStream` (what the route does minus its checks) and, when
// installed, busybox httpd. Each download is one `curl` process writing to /dev/null, so the client never shares an
// event loop with a server; the servers take turns (interleaved rounds) so drift in the machine's load hits all.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { localDownloadsRoute } from '../../src/http/local-downloads.ts';
import { createLocalStore } from '../../src/storage/local-store.ts';
import { MIB, median } from '../lib/stats.ts';
import { findOnPath, generateFile } from '../upload/upload-bench.ts';

export interface DownloadSample {
  server: string;
  /** 'full' (200, the whole file) or 'half' (206, a Range request for the second half). */
  kind: 'full' | 'half';
  bytes: number;
  mibPerSec: number;
}

export interface DownloadResults {
  size: number;
  rounds: number;
  samples: DownloadSample[];
  /** Median MiB/s per server and kind, e.g. { 'local-downloads full': 812 }. */
  medians: Record<string, number>;
}

const KEY = 'builds/bbench001/install.iso';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Node's own static serving of one file: what an operator might put up instead of the route. */
function plainServer(path: string, size: number): Server {
  return createServer((_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-length': String(size), 'content-type': 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
}

function curl(url: string, range?: string): Promise<{ bytes: number; seconds: number }> {
  const args = [
    '--silent',
    '--show-error',
    '--fail',
    '-o',
    '/dev/null',
    '-w',
    '%{size_download} %{time_total}',
  ];
  if (range) args.push('-r', range);
  return new Promise((resolve, reject) => {
    execFile('curl', [...args, url], { timeout: 600_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`curl ${url}: ${stderr || error.message}`));
      const [bytes = 'NaN', seconds = 'NaN'] = stdout.trim().split(' ');
      resolve({ bytes: Number(bytes), seconds: Number(seconds) });
    });
  });
}

async function startBusybox(root: string): Promise<{ url: string; child: ChildProcess } | undefined> {
  const busybox = findOnPath('busybox');
  if (!busybox) return undefined;
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const child = spawn(busybox, ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', root], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    const up = await fetch(`${url}/${KEY}`, { method: 'HEAD' }).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  return undefined;
}

/**
 * Downloads a `size`-byte file `rounds` times from each server, whole and as a second-half Range request.
 * A few MiB and one round make a smoke run (the test calls it so); the report uses 1 GiB and 3 rounds.
 */
export async function runDownloadBench(opts: {
  dir: string;
  size: number;
  rounds: number;
  log?: (line: string) => void;
}): Promise<DownloadResults> {
  const log = opts.log ?? (() => undefined);
  const root = join(opts.dir, 'artifacts');
  const store = createLocalStore({ root, publicUrl: 'http://unused', signingKey: randomBytes(32) });
  const path = join(root, ...KEY.split('/'));
  await mkdir(join(root, 'builds', 'bbench001'), { recursive: true });
  await generateFile(path, opts.size);
  const size = (await stat(path)).size;
  const route = localDownloadsRoute(store, pino({ level: 'silent' }));
  const routeServer = createServer((req, res) => route.handler(req as never, res));
  const routeBase = await listen(routeServer);
  const plain = plainServer(path, size);
  const plainBase = await listen(plain);
  const busybox = await startBusybox(root);
  // The route checks signatures with the store it was built with: sign with that one, then aim at its port.
  const routeUrl = (await store.presignGet(KEY, { ttlSeconds: 3600 })).url.replace(
    'http://unused',
    routeBase,
  );
  const servers: [string, string, boolean][] = [
    ['local-downloads', routeUrl, true],
    ['node http + createReadStream', `${plainBase}/${KEY}`, false],
    ...(busybox ? ([['busybox httpd', `${busybox.url}/${KEY}`, true]] as [string, string, boolean][]) : []),
  ];
  const samples: DownloadSample[] = [];
  try {
    for (let round = 0; round < opts.rounds; round++) {
      for (const [server, url, ranges] of servers) {
        const full = await curl(url);
        if (full.bytes !== size) throw new Error(`${server}: got ${full.bytes} of ${size} bytes`);
        samples.push({ server, kind: 'full', bytes: full.bytes, mibPerSec: full.bytes / MIB / full.seconds });
        if (ranges) {
          const half = await curl(url, `${Math.floor(size / 2)}-`);
          // A server built without range support answers 200 with everything: not a range sample.
          if (half.bytes === size - Math.floor(size / 2)) {
            samples.push({
              server,
              kind: 'half',
              bytes: half.bytes,
              mibPerSec: half.bytes / MIB / half.seconds,
            });
          } else if (server === 'local-downloads') {
            throw new Error(`local-downloads: a range request got ${half.bytes} bytes`);
          }
        }
        log(`downloads: round ${round + 1} ${server}: ${(full.bytes / MIB / full.seconds).toFixed(0)} MiB/s`);
      }
    }
  } finally {
    busybox?.child.kill();
    await Promise.all([routeServer, plain].map((s) => new Promise((r) => s.close(r))));
  }
  const medians: Record<string, number> = {};
  for (const s of samples) {
    const key = `${s.server} ${s.kind}`;
    if (medians[key] !== undefined) continue;
    medians[key] = median(
      samples.filter((o) => o.server === s.server && o.kind === s.kind).map((o) => o.mibPerSec),
    );
  }
  return { size, rounds: opts.rounds, samples, medians };
}
