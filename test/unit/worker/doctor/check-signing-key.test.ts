import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSigningKey } from '../../../../workers/doctor/check-signing-key.ts';
import { newKeyPair } from '../../signing/signed-build.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doctor-signing-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the doctor’s signing key check', () => {
  it('is ok without a key (unsigned checksums) and with a usable one (its key id)', async () => {
    expect(await checkSigningKey(undefined)).toEqual({
      name: 'signing key',
      status: 'ok',
      detail: 'none configured: builds publish SHA256SUMS unsigned',
    });
    const file = join(dir, 'good.key');
    await writeFile(file, newKeyPair().privatePem, { mode: 0o600 });
    expect(await checkSigningKey({ privateKeyFile: file })).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(new RegExp(`^${file}: ECDSA P-256, key id [0-9a-f]{64}$`)),
    });
  });

  it('fails a key the worker would refuse, saying the worker will not start and how to fix it', async () => {
    const file = join(dir, 'bad.key');
    await writeFile(file, 'garbage', { mode: 0o600 });
    const r = await checkSigningKey({ privateKeyFile: file });
    expect(r).toMatchObject({
      name: 'signing key',
      status: 'fail',
      detail: expect.stringContaining(
        `signing.privateKeyFile: ${file} is not an unencrypted PEM private key`,
      ),
      fix: expect.stringMatching(/^the worker will not start: point signing\.privateKeyFile at/),
    });
  });
});
