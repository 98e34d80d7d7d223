import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVerifyCommand } from '../../../../../src/cli/verify-command.ts';
import { sha256Of } from '../../../../../src/signing/checksums.ts';
import { bootTest } from '../../../../../workers/pipeline/steps/boot-test.ts';
import { type SignContext, sign } from '../../../../../workers/pipeline/steps/sign.ts';
import { newKeyPair } from '../../../signing/signed-build.ts';
import { DIGEST_A, DIGEST_B, localStore, request, silent, tempDir } from '../support.ts';

async function context(signing: SignContext['settings']['signing']): Promise<SignContext> {
  const store = await localStore();
  const iso = await store.putObject('builds/bsg000001/install.iso', 'ISO-BYTES', 'application/octet-stream');
  const log = await store.putObject('builds/bsg000001/build.log', 'log\n', 'text/plain');
  return {
    buildId: 'bsg000001',
    request: request(),
    store,
    logger: silent,
    signal: new AbortController().signal,
    settings: { workerName: 'host-1', signing },
    state: {
      pulled: { sourceDigest: DIGEST_A, builderDigest: DIGEST_B },
      artifacts: [
        { role: 'image', type: 'iso', filename: 'bsg000001-install.iso', ...iso },
        { role: 'log', type: 'log', filename: 'bsg000001-build.log', ...log },
      ],
      startedAt: '2026-12-05T04:00:00.000Z',
    },
  };
}

describe('sign step', () => {
  it('without a key: SHA256SUMS over every artifact, said to be unsigned', async () => {
    const ctx = await context(undefined);
    await sign.run(ctx, { defer: () => undefined });
    expect(ctx.state.signing).toMatchObject({ keyId: null, note: expect.stringMatching(/unsigned/) });
    expect(ctx.state.signing?.files.map((f) => f.filename)).toEqual(['SHA256SUMS']);
    expect(await ctx.store.getObjectText('builds/bsg000001/SHA256SUMS')).toBe(
      `${sha256Of('ISO-BYTES')}  bsg000001-install.iso\n${sha256Of('log\n')}  bsg000001-build.log\n`,
    );
  });

  it('with a key: signature and provenance that bootc-iso verify accepts for the stored build', async () => {
    const dir = await tempDir();
    const pair = newKeyPair();
    await writeFile(join(dir, 'k.key'), pair.privatePem, { mode: 0o600 });
    await writeFile(join(dir, 'k.pub'), pair.publicPem);
    const ctx = await context({ privateKeyFile: join(dir, 'k.key') });
    await sign.run(ctx, { defer: () => undefined });
    expect(ctx.state.signing?.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(ctx.state.signing?.files.map((f) => f.role)).toEqual([
      'checksums',
      'checksums-signature',
      'provenance',
    ]);
    // The manifest's artifact list tells verify where the published names are stored.
    await ctx.store.putObject(
      'builds/bsg000001/manifest.json',
      JSON.stringify({ artifacts: ctx.state.artifacts }),
      'application/json',
    );
    let out = '';
    const code = await runVerifyCommand(['bsg000001', '--key', join(dir, 'k.pub')], {
      out: { write: (t: string) => (out += t) },
      err: { write: (t: string) => (out += t) },
      store: async () => ctx.store,
    });
    expect(out).toContain('verified: 2 artifact(s) from build bsg000001');
    expect(code).toBe(0);
  });

  it('lists the checking files as artifacts after the image and log, with their own digests and the key', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'k.key'), newKeyPair().privatePem, { mode: 0o600 });
    const ctx = await context({ privateKeyFile: join(dir, 'k.key') });
    await sign.run(ctx, { defer: () => undefined });
    // Run again (a retried step): listed once, and SHA256SUMS still names only the image and the log.
    await sign.run(ctx, { defer: () => undefined });
    const keyId = ctx.state.signing?.keyId;
    expect(ctx.state.artifacts.map((a) => [a.role, a.filename, a.keyId])).toEqual([
      ['image', 'bsg000001-install.iso', undefined],
      ['log', 'bsg000001-build.log', undefined],
      ['checksums', 'SHA256SUMS', undefined],
      ['checksums-signature', 'SHA256SUMS.sig', keyId],
      ['provenance', 'provenance.intoto.json', keyId],
    ]);
    for (const a of ctx.state.artifacts.slice(2)) {
      const body = await ctx.store.getObjectText(a.key);
      expect(a).toMatchObject({ type: a.role, size: Buffer.byteLength(body), sha256: sha256Of(body) });
    }
    expect((await ctx.store.getObjectText('builds/bsg000001/SHA256SUMS')).split('\n')).toHaveLength(3);
  });
});

describe('sign step after an install test', () => {
  it("publishes and checksums both consoles, once each when run again, and the provenance names the test's mode", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'boot-test-install.log'), 'installer console\n');
    await writeFile(join(dir, 'boot-test.log'), 'host login:\n');
    await writeFile(join(dir, 'k.key'), newKeyPair().privatePem, { mode: 0o600 });
    const ctx = await context({ privateKeyFile: join(dir, 'k.key') });
    ctx.state.bootTest = {
      mode: 'install',
      passed: true,
      reason: 'login',
      logPath: join(dir, 'boot-test.log'),
      logs: [join(dir, 'boot-test-install.log'), join(dir, 'boot-test.log')],
      tail: '',
      accel: 'tcg',
      seconds: 30,
    };
    await sign.run(ctx, { defer: () => undefined });
    await sign.run(ctx, { defer: () => undefined });
    expect(ctx.state.artifacts.filter((a) => a.role === 'log').map((a) => a.filename)).toEqual([
      'bsg000001-build.log',
      'bsg000001-boot-test-install.log',
      'bsg000001-boot-test.log',
    ]);
    const sums = await ctx.store.getObjectText('builds/bsg000001/SHA256SUMS');
    expect(sums).toContain(`${sha256Of('installer console\n')}  bsg000001-boot-test-install.log`);
    expect(sums).toContain(`${sha256Of('host login:\n')}  bsg000001-boot-test.log`);
    const envelope = JSON.parse(await ctx.store.getObjectText('builds/bsg000001/provenance.intoto.json'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    expect(statement.predicate.buildDefinition.internalParameters.bootTest).toEqual({
      mode: 'install',
      passed: true,
      accel: 'tcg',
      seconds: 30,
    });
  });
});

describe('boot-test step plan', () => {
  const planned = (req: Parameters<typeof request>[0], presets = {}) =>
    bootTest.planned?.({ request: request(req), settings: { presets } } as never);
  it('runs only for requests or presets that ask for it, and never for a reused build', () => {
    expect(planned({})).toBe(false);
    expect(planned({ bootTest: true })).toBe(true);
    expect(
      planned({ preset: 'p' }, { p: { image: 'x', builder: 'b', description: '', bootTest: true } }),
    ).toBe(true);
    expect(bootTest.skip?.({ state: { reused: {} } } as never, undefined)).toMatch(/identical build/);
  });

  it('installs then boots the disk when the kickstart powers off, with the install and login limits', () => {
    const ctx = (kickstart?: string) =>
      ({
        request: request({ customizations: { users: [], fips: false, ...(kickstart ? { kickstart } : {}) } }),
        settings: {
          bootTest: { timeoutSeconds: 100, installTimeoutSeconds: 1000, loginTimeoutSeconds: 200 },
        },
      }) as never;
    expect(bootTest.describe(ctx('text\npoweroff'))).toBe(
      'installing from the ISO in QEMU, then booting the installed disk',
    );
    expect(bootTest.timeoutMs?.(ctx('text\npoweroff'))).toBe((1000 * 2 + 200 + 60) * 1000);
    expect(bootTest.describe(ctx('text\nreboot'))).toBe('booting the ISO in QEMU');
    expect(bootTest.timeoutMs?.(ctx())).toBe((100 * 2 + 60) * 1000);
  });
});
