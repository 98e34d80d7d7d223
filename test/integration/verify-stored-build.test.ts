import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerifyCommand } from '../../src/cli/verify-command.ts';
import { parseSigningKey } from '../../src/signing/artifact-key.ts';
import { buildObjectKey } from '../../src/signing/bundle-sources.ts';
import { sha256Of } from '../../src/signing/checksums.ts';
import { publishTrustFiles } from '../../src/signing/publish-trust-files.ts';
import type { ArtifactStore } from '../../src/storage/artifact-store.ts';
import { createLocalStore } from '../../src/storage/local-store.ts';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { type S3Handle, startS3 } from '../testbed/index.ts';
import { ARTIFACTS, newKeyPair, REQUEST } from '../unit/signing/signed-build.ts';

// `bootc-iso verify <build-id>` reading a published build from a real S3 protocol server (artifacts hashed through
// presigned download links, as users download them) and from the single-host directory store.
let s3: S3Handle;
let dir: string;
let pubFile: string;
const pair = newKeyPair();
const key = parseSigningKey(pair.privatePem);

async function publish(store: ArtifactStore, buildId: string, artifacts = ARTIFACTS): Promise<void> {
  for (const [name, body] of Object.entries(artifacts)) {
    await store.putObject(buildObjectKey(buildId, name), body, 'application/octet-stream');
  }
  const published = await publishTrustFiles({
    store,
    buildId,
    artifacts: Object.entries(artifacts).map(([name, body]) => ({ name, sha256: sha256Of(body) })),
    key,
    provenance: {
      request: REQUEST,
      images: [{ role: 'source', ref: REQUEST.source, digest: `sha256:${'1'.repeat(64)}` }],
      workerHost: 'worker-1',
      startedOn: new Date(),
      finishedOn: new Date(),
    },
  });
  expect(published.keyId).toBe(key.keyId);
  expect(published.artifacts.map((a) => [a.role, a.key])).toEqual([
    ['checksums', `builds/${buildId}/SHA256SUMS`],
    ['checksums-signature', `builds/${buildId}/SHA256SUMS.sig`],
    ['provenance', `builds/${buildId}/provenance.intoto.json`],
  ]);
}

async function verify(store: ArtifactStore | undefined, argv: string[]) {
  let out = '';
  let err = '';
  const code = await runVerifyCommand(argv, {
    out: { write: (t: string) => (out += t) },
    err: { write: (t: string) => (err += t) },
    publicKeyFile: async () => pubFile,
    store: async () => store,
  });
  return { code, out, err };
}

beforeAll(async () => {
  s3 = await startS3({ bucket: 'artifacts' });
  dir = await mkdtemp(join(tmpdir(), 'verify-stored-'));
  pubFile = join(dir, 'signing.pub');
  await writeFile(pubFile, pair.publicPem);
});

afterAll(async () => {
  await s3?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bootc-iso verify <build-id>', () => {
  it('verifies a build stored in S3, with the key from the config', async () => {
    const store = createS3Store({ ...s3, forcePathStyle: true });
    await publish(store, 'b7k2m9qxz');
    const r = await verify(store, ['b7k2m9qxz']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('verified: 2 artifact(s) from build b7k2m9qxz');
  });

  it('refuses a stored ISO replaced after publishing', async () => {
    const store = createS3Store({ ...s3, forcePathStyle: true });
    await publish(store, 'b7k2m9qx2');
    await store.putObject(
      buildObjectKey('b7k2m9qx2', 'install.iso'),
      randomBytes(4096),
      'application/octet-stream',
    );
    const r = await verify(store, ['b7k2m9qx2']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/FAILED {2}install\.iso: has sha256 [0-9a-f]{64}, SHA256SUMS says/);
  });

  it('checks local copies given with --file against the stored, signed checksums', async () => {
    const store = createS3Store({ ...s3, forcePathStyle: true });
    await publish(store, 'b7k2m9qx3');
    const good = join(dir, 'install.iso');
    await writeFile(good, ARTIFACTS['install.iso'] as Buffer);
    const ok = await verify(store, ['b7k2m9qx3', '--file', good]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('OK      install.iso');
    expect(ok.out).toContain('skipped build.log (not checked)');
    const badDir = await mkdtemp(join(dir, 'bad-'));
    await writeFile(join(badDir, 'install.iso'), 'not the iso');
    const bad = await verify(store, ['b7k2m9qx3', '--file', join(badDir, 'install.iso')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('FAILED  install.iso: has sha256');
    const stray = await verify(store, ['b7k2m9qx3', '--file', pubFile]);
    expect(stray.err).toContain('FAILED  signing.pub: is not listed in SHA256SUMS');
  });

  it('finds artifacts published under other names through the artifact list of the manifest', async () => {
    const store = createS3Store({ ...s3, forcePathStyle: true });
    const id = 'b7k2m9qx6';
    // Published as the download name, stored under the short key, the way a build's artifact list records it.
    const iso = ARTIFACTS['install.iso'] as Buffer;
    const isoKey = buildObjectKey(id, 'install.iso');
    await store.putObject(isoKey, iso, 'application/octet-stream');
    await publishTrustFiles({
      store,
      buildId: id,
      artifacts: [{ name: `${id}-install.iso`, sha256: sha256Of(iso) }],
      key,
      provenance: {
        request: REQUEST,
        images: [],
        workerHost: 'worker-1',
        startedOn: new Date(),
        finishedOn: new Date(),
      },
    });
    expect((await verify(store, [id])).err).toContain(`FAILED  ${id}-install.iso: is missing`);
    await store.putObject(
      buildObjectKey(id, 'manifest.json'),
      JSON.stringify({ artifacts: [{ role: 'iso', key: isoKey, filename: `${id}-install.iso` }] }),
      'application/json',
    );
    const r = await verify(store, [id]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain(`OK      ${id}-install.iso`);
  });

  it('says so when the build has no SHA256SUMS', async () => {
    const store = createS3Store({ ...s3, forcePathStyle: true });
    const r = await verify(store, ['b7k2m9qx4']);
    expect(r).toMatchObject({ code: 1, err: expect.stringContaining('FAILED  SHA256SUMS: is missing') });
  });

  it('verifies a build in the single-host directory store', async () => {
    const root = await mkdtemp(join(dir, 'store-'));
    const store = createLocalStore({ root, publicUrl: 'http://127.0.0.1:1', signingKey: randomBytes(32) });
    await publish(store, 'b7k2m9qx5');
    expect((await verify(store, ['b7k2m9qx5'])).code).toBe(0);
    await writeFile(join(root, 'builds', 'b7k2m9qx5', 'build.log'), 'edited\n');
    const r = await verify(store, ['b7k2m9qx5']);
    expect(r.err).toContain('FAILED  build.log: has sha256');
  });
});
