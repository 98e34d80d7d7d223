// A forward proxy that holds every request for a fixed time before passing it on: per-request latency (what a
// distant S3 endpoint adds to each part, HEAD and multipart call), not TCP round-trip time, which would also slow
// each window of a part's bytes. netem is not available on these kernels, hence this.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DelayProxy {
  /** http://127.0.0.1:PORT, to use as the endpoint instead of the target. */
  endpoint: string;
  requests: () => number;
  stop(): Promise<void>;
}

export async function startDelayProxy(target: string, delayMs: number): Promise<DelayProxy> {
  const to = new URL(target);
  let count = 0;
  const server: Server = createServer((req, res) => {
    count += 1;
    // The body waits in the socket meanwhile (paused stream): the delay holds the request, not its bytes in memory.
    req.pause();
    setTimeout(() => {
      const upstream = httpRequest(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(error));
      });
      req.pipe(upstream);
      req.resume();
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => count,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
