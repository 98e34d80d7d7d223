// A TCP proxy that counts the bytes the target sends back: in front of a registry, what every pull downloaded
// (manifests and blobs), whichever storage it went to.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface CountProxy {
  /** 127.0.0.1:PORT, to use as the registry host instead of the target. */
  host: string;
  /** Bytes sent from the target to clients since the start or the last reset. */
  bytes: () => number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountProxy(targetHost: string, targetPort: number): Promise<CountProxy> {
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: targetHost, port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    bytes: () => bytes,
    reset: () => {
      bytes = 0;
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
