import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { collectLines, startTsx } from '../support/run-process.ts';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';
import { newKeyPair } from '../unit/signing/signed-build.ts';

// A build through the real worker with a signing key configured, then `bootc-iso verify` on what it published.
let tb: Testbed;
let dir: string;
let env: Record<string, string>;
let worker: ReturnType<typeof startTsx>;

const cli = (args: string[]) =>
  execa('node', ['bin/bootc-iso.js', ...args], { env, extendEnv: true, reject: false });

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed({ registryUser: 'signer', registryPassword: 'e2e-Sign1ng-Pa55' });
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-e2e-signed-'));
  const pair = newKeyPair();
  await writeFile(join(dir, 'signing.key'), pair.privatePem, { mode: 0o600 });
  await writeFile(join(dir, 'signing.pub'), pair.publicPem);
  ({ env } = await writeE2eConfig(
    tb,
    dir,
    { username: 'signer', password: 'e2e-Sign1ng-Pa55' },
    {
      extraYaml: [
        'signing:',
        `  privateKeyFile: "${join(dir, 'signing.key')}"`,
        `  publicKeyFile: "${join(dir, 'signing.pub')}"`,
        'bootTest: { accel: tcg, memoryMiB: 256, cpus: 1, timeoutSeconds: 8 }',
      ].join('\n'),
    },
  ));
  worker = startTsx('workers/main.ts', env);
  await collectLines(worker).waitFor(/worker ready/, 60_000);
});

afterAll(async () => {
  worker?.kill('SIGTERM');
  await worker?.catch(() => undefined);
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a signed build', () => {
  it('publishes SHA256SUMS, its signature and the provenance, which bootc-iso verify accepts, and refuses a swapped ISO', async () => {
    const run = await cli(['build', '--preset', 'demo', '--json']);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    const id: string = result.buildId;
    const listed = result.artifacts as {
      role: string;
      key: string;
      filename: string;
      url?: string;
      keyId?: string;
    }[];
    expect(listed.map((a) => a.role)).toEqual([
      'image',
      'log',
      'checksums',
      'checksums-signature',
      'provenance',
    ]);
    for (const a of listed.slice(2)) expect(a.url).toMatch(/^https?:\/\//);
    const job = await cli(['job', id]);
    expect(job.stdout).toContain('checking files:');
    expect(job.stdout).toMatch(
      /checksums-signature: SHA256SUMS\.sig, \d+ bytes, sha256 [0-9a-f]{64}, key [0-9a-f]{64}/,
    );
    const ok = await cli(['verify', id]);
    expect(ok.stdout).toMatch(new RegExp(`OK {6}${id}-install\\.iso`));
    expect(ok.stdout).toMatch(/verified: 2 artifact\(s\) from build \w+, signatures by key [0-9a-f]{64}/);
    expect(ok.exitCode).toBe(0);
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const manifest = JSON.parse(await store.getObjectText(`builds/${id}/manifest.json`));
    expect(manifest.signing.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.artifacts.at(-1)).toMatchObject({ role: 'provenance', keyId: manifest.signing.keyId });
    expect(manifest.signing.files.map((f: { filename: string }) => f.filename)).toEqual([
      'SHA256SUMS',
      'SHA256SUMS.sig',
      'provenance.intoto.json',
    ]);
    // The ISO where the build stored it (under its attempt's own key).
    await store.putObject(listed[0]?.key ?? '', randomBytes(2048), 'application/octet-stream');
    const bad = await cli(['verify', id]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`FAILED {2}${id}-install\\.iso: has sha256`));
  });

  it('a worker whose signing key is unusable refuses to start, naming the setting and the file, without a stack trace', async () => {
    const bad = join(dir, 'bad-key');
    await mkdir(bad);
    const keyFile = join(bad, 'signing.key');
    await writeFile(keyFile, 'this is not a key: KEY-CONTENTS\n', { mode: 0o600 });
    const { env: badEnv } = await writeE2eConfig(
      tb,
      bad,
      { username: 'signer', password: 'e2e-Sign1ng-Pa55' },
      { extraYaml: ['signing:', `  privateKeyFile: "${keyFile}"`].join('\n') },
    );
    const run = await startTsx('workers/main.ts', { ...badEnv, METRICS_PORT: 'off' });
    expect(run.exitCode).toBe(1);
    expect(run.all).toContain(
      `bootc-iso worker: signing.privateKeyFile: ${keyFile} is not an unencrypted PEM private key. The worker takes no builds`,
    );
    expect(run.all).not.toContain('worker ready');
    expect(run.all).not.toContain('KEY-CONTENTS');
    expect(run.all).not.toMatch(/\n\s+at /);
  });

  it('fails a --boot-test build whose ISO does not boot with BOOT_TEST_FAILED, publishing no ISO but its console log', async () => {
    // The stand-in builder's ISO holds files but no boot loader: the machine never gets to a kernel.
    const run = await cli(['build', '--preset', 'demo', '--volume-id', 'BOOT_FAIL', '--boot-test', '--json']);
    expect(run.exitCode).toBe(1);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(out.error.code).toBe('BOOT_TEST_FAILED');
    expect(out.error.message).toMatch(/did not appear on the serial console/);
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    // No image under any attempt's keys.
    const stored: string[] = [];
    for await (const key of store.listKeys(`builds/${out.buildId}/`)) stored.push(key);
    expect(stored.filter((k) => k.endsWith('.iso'))).toEqual([]);
    expect(await store.headObject(`builds/${out.buildId}/boot-test.log`)).toBeDefined();
  });
});
