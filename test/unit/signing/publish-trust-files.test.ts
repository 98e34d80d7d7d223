import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireConfiguredSigningKey } from '../../../src/signing/publish-trust-files.ts';
import { newKeyPair } from './signed-build.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signing-key-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const keyFile = async (name: string, body: string) => {
  const file = join(dir, name);
  await writeFile(file, body, { mode: 0o600 });
  return file;
};

describe("the worker's signing key check at start", () => {
  it('loads a P-256 key, and passes without a key configured', async () => {
    const file = await keyFile('good.key', newKeyPair().privatePem);
    const key = await requireConfiguredSigningKey({ privateKeyFile: file });
    expect(key?.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(await requireConfiguredSigningKey(undefined)).toBeUndefined();
    expect(await requireConfiguredSigningKey({})).toBeUndefined();
  });

  it('refuses a file that is not a PEM private key, naming setting and file, never printing its contents', async () => {
    const file = await keyFile('garbage.key', 'not-a-key SECRET-CONTENTS\n');
    const error = await requireConfiguredSigningKey({ privateKeyFile: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    const message = (error as Error).message;
    expect(message).toContain(`signing.privateKeyFile: ${file} is not an unencrypted PEM private key`);
    expect(message).toMatch(/takes no builds .* fix the key, or remove signing\.privateKeyFile/);
    expect(message).not.toContain('SECRET-CONTENTS');
  });

  it('refuses a key of another curve, saying which and how to make the right one', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const file = await keyFile('p384.key', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await expect(requireConfiguredSigningKey({ privateKeyFile: file })).rejects.toThrow(
      new RegExp(`${file} holds a EC secp384r1 key; signing needs ECDSA P-256`),
    );
  });

  it('refuses a public key given as the private one', async () => {
    const file = await keyFile('public.key', newKeyPair().publicPem);
    await expect(requireConfiguredSigningKey({ privateKeyFile: file })).rejects.toThrow(
      /is not an unencrypted PEM private key/,
    );
  });

  it('refuses a missing file with the reason', async () => {
    const file = join(dir, 'missing.key');
    await expect(requireConfiguredSigningKey({ privateKeyFile: file })).rejects.toThrow(
      `signing.privateKeyFile: cannot read the signing key ${file} (ENOENT)`,
    );
  });
});
