import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * Plain TCP forwarding of `ports` from `listenHost` to the same ports on `targetHost`: the testbed's services listen
 * on 127.0.0.1, and a worker in its own network namespace reaches them through a forwarder on each side of the veth
 * pair. Run directly (inside the namespace) as: tcp-forward.ts <listenHost> <targetHost> <port>...
 */
export async function forwardPorts(
  listenHost: string,
  targetHost: string,
  ports: number[],
): Promise<() => Promise<void>> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  for (const port of ports) {
    const server = createServer((inbound) => {
      const outbound = connect({ host: targetHost, port });
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, listenHost, () => resolve());
    });
    servers.push(server);
  }
  return async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
  };
}

if (process.argv[1]?.endsWith('tcp-forward.ts')) {
  const [listenHost, targetHost, ...ports] = process.argv.slice(2);
  if (!listenHost || !targetHost)
    throw new Error('usage: tcp-forward.ts <listenHost> <targetHost> <port>...');
  await forwardPorts(listenHost, targetHost, ports.map(Number));
  console.log(`forwarding ${ports.join(',')} from ${listenHost} to ${targetHost}`);
}
