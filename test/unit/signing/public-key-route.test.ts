import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseVerifyKey } from '../../../src/signing/artifact-key.ts';
import { SIGNING_KEY_PATH, signingKeyRoutes } from '../../../src/signing/public-key-route.ts';
import { newKeyPair } from './signed-build.ts';

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('/signing-key.pub', () => {
  it('serves the public key and its id; from the private key when only that is configured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'key-route-'));
    try {
      const pair = newKeyPair();
      await writeFile(join(dir, 'k.pub'), pair.publicPem);
      await writeFile(join(dir, 'k.key'), pair.privatePem, { mode: 0o600 });
      const keyId = parseVerifyKey(pair.publicPem).keyId;
      for (const signing of [{ publicKeyFile: join(dir, 'k.pub') }, { privateKeyFile: join(dir, 'k.key') }]) {
        const [route] = await signingKeyRoutes(signing);
        expect(route?.path).toBe(SIGNING_KEY_PATH);
        const url = await serve((req, res) => route?.handler(req, res));
        const response = await fetch(`${url}${SIGNING_KEY_PATH}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('x-signing-key-id')).toBe(keyId);
        const body = await response.text();
        expect(body).toBe(pair.publicPem);
        expect(body).not.toContain('PRIVATE');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is not served without a key, and a bad key file stops the start', async () => {
    expect(await signingKeyRoutes(undefined)).toEqual([]);
    expect(await signingKeyRoutes({})).toEqual([]);
    await expect(signingKeyRoutes({ publicKeyFile: '/nonexistent.pub' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
