import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { type KoaMiddleware, s3SignatureGuard } from './s3-signature-guard.ts';
import { makeTempDir } from './util.ts';

export interface S3Handle {
  /** http://127.0.0.1:PORT — use with `forcePathStyle: true`. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  dir: string;
  stop(): Promise<void>;
  /** Takes the server down (connections refused) while keeping its data, for outage tests. */
  pause(): Promise<void>;
  /** Brings a paused server back on the same port with the same data. */
  resume(): Promise<void>;
}

/** The slice of s3rver 3.7.1's API used here (the package ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
  /** Koa's middleware stack (s3rver is a Koa app). */
  middleware: KoaMiddleware[];
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

const require = createRequire(import.meta.url);

/**
 * s3rver in-process on 127.0.0.1:<free port> over a temp directory, with `bucket` created. Credentials S3RVER/S3RVER.
 * Anonymous requests are refused and every SigV4 signature is verified (s3-signature-guard.ts).
 */
export async function startS3(opts: { bucket?: string } = {}): Promise<S3Handle> {
  const bucket = opts.bucket ?? 'bootc-iso-test';
  const dir = await makeTempDir('s3');
  const S3rver = require('s3rver') as S3rverClass;
  // Port 0: the kernel picks a free port at bind time, so there is no race.
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: dir,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  // Like real S3: no anonymous access, every signature checked (s3rver alone checks neither).
  server.middleware.unshift(s3SignatureGuard());
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  let current: S3rverInstance | undefined = server;
  const close = async () => {
    current?.httpServer?.closeAllConnections();
    await current?.close();
    current = undefined;
  };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    region: 'us-east-1',
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Keep-alive sockets from SDK clients would otherwise hold close() open.
      await close();
      await rm(dir, { recursive: true, force: true });
    },
    pause: close,
    async resume() {
      if (current || stopped) return;
      current = new S3rver({
        address: '127.0.0.1',
        port: address.port,
        directory: dir,
        silent: true,
        configureBuckets: [],
      });
      current.middleware.unshift(s3SignatureGuard());
      await current.run();
    },
  };
}
