import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKey } from '../../src/signing/artifact-key.ts';
import { PROVENANCE, SHA256SUMS, SHA256SUMS_SIG } from '../../src/signing/checksums.ts';
import { preAuthEncoding } from '../../src/signing/dsse.ts';
import { requireTools } from '../testbed/tools.ts';
import { makeTempDir } from '../testbed/util.ts';
import { ARTIFACTS, trustFilesFor } from '../unit/signing/signed-build.ts';

// The formats must be what standard tools read: the real openssl and sha256sum check what the code wrote, with a
// key made by openssl itself. Every call is an argument vector; the base64 signature is decoded here, not by a shell.
const run = promisify(execFile);
let dir: string;
let keyFile: string;
let pubFile: string;
const verified: string[] = [];

async function opensslVerify(data: string, sigBase64: string): Promise<{ ok: boolean; output: string }> {
  const sigFile = join(dir, 'sig.der');
  await writeFile(sigFile, Buffer.from(sigBase64.trim(), 'base64'));
  try {
    const r = await run('openssl', ['dgst', '-sha256', '-verify', pubFile, '-signature', sigFile, data]);
    return { ok: true, output: r.stdout.trim() };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout ?? error).trim() };
  }
}

beforeAll(async () => {
  requireTools(['openssl', 'sha256sum']);
  dir = await makeTempDir('openssl');
  keyFile = join(dir, 'signing.key');
  pubFile = join(dir, 'signing.pub');
  // The key generation the docs give operators.
  const { stdout: sec1 } = await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']);
  const pkcs8 = join(dir, 'sec1.pem');
  await writeFile(pkcs8, sec1);
  await run('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', pkcs8, '-out', keyFile]);
  await run('openssl', ['pkey', '-in', keyFile, '-pubout', '-out', pubFile]);
  const key = await loadSigningKey(keyFile);
  for (const [name, body] of Object.entries(ARTIFACTS)) await writeFile(join(dir, name), body);
  for (const file of trustFilesFor(key).files) await writeFile(join(dir, file.filename), file.body);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  process.stdout.write(`signatures verified by openssl: ${verified.length} of 2 (${verified.join(', ')})\n`);
});

describe('signatures that openssl checks', () => {
  it('SHA256SUMS.sig: openssl dgst -sha256 -verify accepts it', async () => {
    const sig = await readFile(join(dir, SHA256SUMS_SIG), 'utf8');
    const r = await opensslVerify(join(dir, SHA256SUMS), sig);
    expect(r).toEqual({ ok: true, output: 'Verified OK' });
    verified.push('SHA256SUMS.sig');
  });

  it('openssl refuses the signature for a changed SHA256SUMS', async () => {
    const sums = await readFile(join(dir, SHA256SUMS), 'utf8');
    const changed = join(dir, 'SHA256SUMS.changed');
    await writeFile(
      changed,
      sums.replace(/^./, (c) => (c === '0' ? '1' : '0')),
    );
    const r = await opensslVerify(changed, await readFile(join(dir, SHA256SUMS_SIG), 'utf8'));
    expect(r.ok).toBe(false);
    expect(r.output).toContain('Verification failure');
  });

  it('the provenance signature: openssl accepts it over the DSSE pre-authentication encoding', async () => {
    const envelope = JSON.parse(await readFile(join(dir, PROVENANCE), 'utf8'));
    const pae = join(dir, 'provenance.pae');
    await writeFile(pae, preAuthEncoding(envelope.payloadType, Buffer.from(envelope.payload, 'base64')));
    const r = await opensslVerify(pae, envelope.signatures[0].sig);
    expect(r).toEqual({ ok: true, output: 'Verified OK' });
    verified.push('provenance.intoto.json');
  });

  it('the key id is what the documented openssl pipeline computes', async () => {
    const { stdout: der } = await run('openssl', ['pkey', '-pubin', '-in', pubFile, '-outform', 'DER'], {
      encoding: 'buffer',
    });
    const derFile = join(dir, 'pub.der');
    await writeFile(derFile, der);
    const { stdout } = await run('sha256sum', [derFile]);
    const envelope = JSON.parse(await readFile(join(dir, PROVENANCE), 'utf8'));
    expect(envelope.signatures[0].keyid).toBe(stdout.split(' ')[0]);
  });

  it('sha256sum -c accepts SHA256SUMS next to the artifacts', async () => {
    const { stdout } = await run('sha256sum', ['-c', SHA256SUMS], { cwd: dir });
    expect(stdout).toBe('install.iso: OK\nbuild.log: OK\n');
  });
});
