import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { readOpsEnv } from '../../../src/config/ops-env.ts';
import { startOpsServer } from '../../../workers/ops-server.ts';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('/metrics with a bearer token', () => {
  it('answers only requests bearing the token, over a real listener', async () => {
    const server = await startOpsServer({
      listen: { host: '127.0.0.1', port: 0, required: true, token: TOKEN },
      registry: new Registry(),
      ready: async () => ({ ok: true, detail: {} }),
    });
    try {
      const url = `http://127.0.0.1:${server.port}/metrics`;
      const status = async (headers: Record<string, string>) => (await fetch(url, { headers })).status;
      expect(await status({})).toBe(401);
      expect(await status({ authorization: 'Bearer wrong-token-0123456789abcdef' })).toBe(401);
      expect(await status({ authorization: `Basic ${TOKEN}` })).toBe(401);
      expect(await status({ authorization: `Bearer ${TOKEN}` })).toBe(200);
      // The probes stay open for the supervisor.
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('is read from METRICS_TOKEN, kept as a secret, and refused when weak', () => {
    const read = readOpsEnv({ METRICS_TOKEN: TOKEN });
    expect(read.ops.metricsToken).toBe(TOKEN);
    expect(read.ops.metrics?.token).toBe(TOKEN);
    expect(read.secrets).toContain(TOKEN);
    expect(readOpsEnv({ METRICS_TOKEN: 'short' }).problems[0]).toContain('METRICS_TOKEN');
    expect(readOpsEnv({}).ops.metricsToken).toBeUndefined();
  });
});
