import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runVerifyCommand } from '../../../src/cli/verify-command.ts';
import { parseSigningKey } from '../../../src/signing/artifact-key.ts';
import { PROVENANCE, SHA256SUMS, SHA256SUMS_SIG, sha256Of } from '../../../src/signing/checksums.ts';
import { IN_TOTO_PAYLOAD_TYPE, signBlob, signEnvelope } from '../../../src/signing/dsse.ts';
import { newKeyPair, type SignedBuildDir, trustFilesFor, writeSignedBuild } from '../signing/signed-build.ts';

const made: SignedBuildDir[] = [];
const refused: string[] = [];
const TAMPERINGS = 5;

async function build(): Promise<SignedBuildDir> {
  const b = await writeSignedBuild();
  made.push(b);
  return b;
}

async function verify(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runVerifyCommand(argv, {
    out: { write: (t: string) => (out += t) },
    err: { write: (t: string) => (err += t) },
  });
  return { code, out, err };
}

afterEach(async () => {
  for (const b of made.splice(0)) {
    await rm(b.dir, { recursive: true, force: true });
    await rm(b.keyFile, { force: true });
    await rm(b.publicKeyFile, { force: true });
  }
});

afterAll(() => {
  process.stdout.write(
    `tampered artifacts refused: ${refused.length} of ${TAMPERINGS} (${refused.join(', ')})\n`,
  );
  expect(refused).toHaveLength(TAMPERINGS);
});

describe('bootc-iso verify --dir', () => {
  it('verifies a good build: both signatures and every artifact', async () => {
    const b = await build();
    const r = await verify(['--dir', b.dir, '--key', b.publicKeyFile]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('OK      install.iso');
    expect(r.out).toContain('OK      build.log');
    expect(r.out).toContain(`verified: 2 artifact(s) from ${b.dir}, signatures by key ${b.key.keyId}`);
  });

  it('refuses an artifact with one flipped byte, naming it', async () => {
    const b = await build();
    const iso = join(b.dir, 'install.iso');
    const bytes = await readFile(iso);
    bytes[1000] = (bytes[1000] as number) ^ 0x01;
    await writeFile(iso, bytes);
    const r = await verify(['--dir', b.dir, '--key', b.publicKeyFile]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/FAILED {2}install\.iso: has sha256 [0-9a-f]{64}, SHA256SUMS says [0-9a-f]{64}/);
    expect(r.err).toContain('OK      build.log');
    expect(r.err).toMatch(/NOT verified: 1 problem/);
    refused.push('flipped byte');
  });

  it('refuses a SHA256SUMS swapped for one that matches tampered files', async () => {
    const b = await build();
    // The attacker replaces the ISO and writes a SHA256SUMS that matches it; the old signature no longer fits.
    const evil = Buffer.from('evil iso');
    await writeFile(join(b.dir, 'install.iso'), evil);
    const original = await readFile(join(b.dir, SHA256SUMS), 'utf8');
    await writeFile(
      join(b.dir, SHA256SUMS),
      original.replace(/^[0-9a-f]{64}(?= {2}install\.iso)/m, sha256Of(evil)),
    );
    const r = await verify(['--dir', b.dir, '--key', b.publicKeyFile]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `FAILED  ${SHA256SUMS_SIG}: is not a signature of this SHA256SUMS by key ${b.key.keyId}`,
    );
    expect(r.err).toMatch(
      /FAILED {2}provenance\.intoto\.json: says install\.iso has sha256 [0-9a-f]{64}, SHA256SUMS says/,
    );
    refused.push('swapped SHA256SUMS');
  });

  it('refuses files signed by another key', async () => {
    const b = await build();
    const other = parseSigningKey(newKeyPair().privatePem);
    for (const file of trustFilesFor(other).files) await writeFile(join(b.dir, file.filename), file.body);
    const r = await verify(['--dir', b.dir, '--key', b.publicKeyFile]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `FAILED  ${SHA256SUMS_SIG}: is not a signature of this SHA256SUMS by key ${b.key.keyId}`,
    );
    expect(r.err).toContain(
      `FAILED  ${PROVENANCE}: no signature verifies with key ${b.key.keyId} (signed by ${other.keyId})`,
    );
    refused.push('signature by another key');
  });

  it('refuses a correctly signed provenance whose subject differs from SHA256SUMS', async () => {
    const b = await build();
    // Signed with the right key (say, the provenance of another build), but about other bytes.
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        { name: 'install.iso', digest: { sha256: 'f'.repeat(64) } },
        {
          name: 'build.log',
          digest: { sha256: sha256Of((await readFile(join(b.dir, 'build.log'))) as Buffer) },
        },
      ],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {},
    };
    const envelope = signEnvelope(b.key, IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)));
    await writeFile(join(b.dir, PROVENANCE), JSON.stringify(envelope));
    const r = await verify(['--dir', b.dir, '--key', b.publicKeyFile]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `FAILED  ${PROVENANCE}: says install.iso has sha256 ${'f'.repeat(64)}, SHA256SUMS says`,
    );
    expect(r.err).not.toContain('FAILED  install.iso');
    refused.push('provenance subject differs');
  });

  it('refuses a build whose signature file was removed (unsigned)', async () => {
    const b = await build();
    await rm(join(b.dir, SHA256SUMS_SIG));
    const r = await verify(['--dir', b.dir, '--key', b.publicKeyFile]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`FAILED  ${SHA256SUMS_SIG}: is missing: the checksums are unsigned`);
    refused.push('signature removed');
  });

  it('refuses a missing artifact unless --ignore-missing, which still checks the rest', async () => {
    const b = await build();
    await rm(join(b.dir, 'build.log'));
    expect((await verify(['--dir', b.dir, '--key', b.publicKeyFile])).err).toContain(
      'FAILED  build.log: is missing',
    );
    const r = await verify(['--dir', b.dir, '--key', b.publicKeyFile, '--ignore-missing', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      ok: true,
      keyId: b.key.keyId,
      verified: ['install.iso'],
      skipped: ['build.log'],
      problems: [],
    });
  });

  it('signs SHA256SUMS as the text file it is (a copied signature of other text fails)', async () => {
    const b = await build();
    await writeFile(join(b.dir, SHA256SUMS_SIG), `${signBlob(b.key, Buffer.from('other text'))}\n`);
    expect((await verify(['--dir', b.dir, '--key', b.publicKeyFile])).code).toBe(1);
  });
});

describe('bootc-iso verify usage', () => {
  it.each([
    [[], /give a build id/],
    [['--dir'], /argument missing|--dir/],
    [['--dir', '/x', 'b7k2m9qxz'], /give no build id/],
    [['--dir', '/x', '--file', 'a'], /--file goes with a build id/],
    [['b7k2m9qxz', '--bogus'], /Unknown option/],
    [['not a build id!'], /is not a build id/],
  ])('exits 2 for %j', async (argv, message) => {
    const r = await verify(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('exits 2 when no public key is given or configured, and when the key file is unreadable', async () => {
    expect((await verify(['--dir', '/nonexistent'])).err).toMatch(/no public key: pass --key PUB/);
    const r = await verify(['--dir', '/nonexistent', '--key', '/nonexistent.pub']);
    expect(r).toMatchObject({
      code: 2,
      err: expect.stringMatching(/cannot read the public key \/nonexistent\.pub \(ENOENT\)/),
    });
  });

  it('exits 2 for verify <build-id> when no artifact store is configured', async () => {
    const pair = newKeyPair();
    const b = await build();
    await writeFile(b.publicKeyFile, pair.publicPem);
    const r = await verify(['b7k2m9qxz', '--key', b.publicKeyFile]);
    expect(r).toMatchObject({ code: 2, err: expect.stringContaining('none is configured here') });
  });
});
