import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildRequest } from '../../../src/domain/build-request.ts';
import { parseSigningKey, parseVerifyKey, type SigningKey } from '../../../src/signing/artifact-key.ts';
import { sha256Of } from '../../../src/signing/checksums.ts';
import { makeTrustFiles, type TrustFiles } from '../../../src/signing/trust-files.ts';

/** A fresh P-256 key pair as the PEM files an operator would configure. */
export function newKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export const REQUEST = BuildRequest.parse({
  source: 'quay.io/acme/os:1.0',
  preset: 'acme',
  builder: { name: 'centos', image: 'quay.io/centos-bootc/bootc-image-builder:latest' },
  type: 'anaconda-iso',
  arch: 'x86_64',
  customizations: {
    users: [{ name: 'alice', passwordHash: '$6$salt$secrethash', sshKeys: ['ssh-ed25519 AAAA alice'] }],
    kickstart: 'rootpw --plaintext hunter2\n',
  },
  requester: { kind: 'cli', user: 'alice' },
  requestedAt: '2026-12-05T03:00:00.000Z',
});

export const ARTIFACTS: Record<string, Buffer> = {
  'install.iso': Buffer.from('ISO 9660 pretend image\n'.repeat(1000)),
  'build.log': Buffer.from('Build complete!\n'),
};

export function trustFilesFor(key: SigningKey | undefined, artifacts = ARTIFACTS): TrustFiles {
  return makeTrustFiles(
    Object.entries(artifacts).map(([name, body]) => ({ name, sha256: sha256Of(body) })),
    key,
    {
      buildId: 'b7k2m9qxz',
      request: REQUEST,
      images: [
        { role: 'source', ref: 'quay.io/acme/os:1.0', digest: `sha256:${'1'.repeat(64)}` },
        { role: 'builder', ref: REQUEST.builder.image, digest: `sha256:${'2'.repeat(64)}` },
      ],
      workerHost: 'worker-1',
      startedOn: new Date('2026-12-05T03:01:00Z'),
      finishedOn: new Date('2026-12-05T03:09:00Z'),
    },
  );
}

export interface SignedBuildDir {
  dir: string;
  keyFile: string;
  publicKeyFile: string;
  key: SigningKey;
}

/** A directory as a user downloads it: the artifacts plus SHA256SUMS, its signature and the provenance. */
export async function writeSignedBuild(pair = newKeyPair()): Promise<SignedBuildDir> {
  const dir = await mkdtemp(join(tmpdir(), 'bootc-iso-verify-'));
  const key = parseSigningKey(pair.privatePem);
  for (const [name, body] of Object.entries(ARTIFACTS)) await writeFile(join(dir, name), body);
  for (const file of trustFilesFor(key).files) await writeFile(join(dir, file.filename), file.body);
  const keyFile = join(dir, '..', `${dir.split('/').pop()}.key`);
  const publicKeyFile = join(dir, '..', `${dir.split('/').pop()}.pub`);
  await writeFile(keyFile, pair.privatePem, { mode: 0o600 });
  await writeFile(publicKeyFile, pair.publicPem);
  parseVerifyKey(pair.publicPem);
  return { dir, keyFile, publicKeyFile, key };
}
