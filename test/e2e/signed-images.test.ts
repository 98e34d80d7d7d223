import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { type Child, collectLines, REPO_ROOT, startTsx } from '../support/run-process.ts';
import { findTool, requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

let tb: Testbed;
let dir: string;
let env: Record<string, string>;
let worker: Child | undefined;

/** A GPG home with one signing key, its fingerprint, and the public key exported for the policy. */
async function makeKey(home: string, name: string): Promise<{ fingerprint: string; publicKey: string }> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const gpg = (args: string[]) =>
    execa('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args]);
  await gpg(['--quick-gen-key', `${name} <${name}@bootc-iso.test>`, 'rsa2048', 'sign', 'never']);
  const { stdout } = await gpg(['--list-keys', '--with-colons']);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(stdout)?.[1] ?? '';
  const publicKey = join(home, `${name}.pub.gpg`);
  await gpg(['--output', publicKey, '--export', fingerprint]);
  return { fingerprint, publicKey };
}

/** Copies the testbed's source image to `remote`, signed with the key in `gnupgHome` (GPG simple signing). */
async function pushSigned(remote: string, gnupgHome: string, fingerprint: string, sigstore: string) {
  const host = tb.registry.host;
  const home = join(dir, `push-home-${fingerprint.slice(0, 8)}`);
  const registriesD = join(home, '.config', 'containers', 'registries.d');
  await mkdir(registriesD, { recursive: true });
  await writeFile(
    join(registriesD, 'testbed.yaml'),
    `docker:\n  "${host}":\n    lookaside-staging: "file://${sigstore}"\n    lookaside: "file://${sigstore}"\n`,
  );
  const authfile = join(dir, 'push-auth.json');
  const run = (args: string[], input?: string) =>
    execa('podman', args, {
      env: { ...tb.podman.env, HOME: home, GNUPGHOME: gnupgHome },
      ...(input === undefined ? {} : { input }),
    });
  await run(
    [
      'login',
      '--authfile',
      authfile,
      '--tls-verify=false',
      '--username',
      tb.registry.username,
      '--password-stdin',
      host,
    ],
    tb.registry.password,
  );
  await run(['pull', '--quiet', '--authfile', authfile, '--tls-verify=false', tb.sourceRef]);
  await run([
    'push',
    '--quiet',
    '--authfile',
    authfile,
    '--tls-verify=false',
    '--sign-by',
    fingerprint,
    tb.sourceRef,
    `docker://${remote}`,
  ]);
  await run(['rmi', '--force', tb.sourceRef]);
}

beforeAll(async () => {
  requireTools([...TESTBED_TOOLS, 'gpg']);
  tb = await startTestbed();
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-signed-'));
  const trusted = await makeKey(join(dir, 'gnupg-trusted'), 'release');
  const attacker = await makeKey(join(dir, 'gnupg-attacker'), 'attacker');
  const sigstore = join(dir, 'sigstore');
  await mkdir(sigstore);
  const host = tb.registry.host;
  await pushSigned(`${host}/bootc/signed-os:1`, join(dir, 'gnupg-trusted'), trusted.fingerprint, sigstore);
  await pushSigned(`${host}/bootc/forged-os:1`, join(dir, 'gnupg-attacker'), attacker.fingerprint, sigstore);
  // Each image's repository must be signed by the release key; the builder image is left unchecked.
  const rule = `{ signedBy: { keyPath: "${trusted.publicKey}" }, lookaside: "file://${sigstore}" }`;
  const extraYaml = [
    'access:',
    '  signatures:',
    ...['signed-os', 'forged-os', 'demo-os'].map((repo) => `    "${host}/bootc/${repo}": ${rule}`),
  ].join('\n');
  ({ env } = await writeE2eConfig(tb, dir, tb.registry, { extraYaml }));
  env.METRICS_PORT = 'off';
  worker = startTsx('workers/main.ts', env);
  await collectLines(worker).waitFor(/worker ready/, 60_000);
}, 600_000);

afterAll(async () => {
  worker?.kill('SIGTERM');
  await worker?.catch(() => undefined);
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function build(source: string) {
  const run = await execa('node', ['bin/bootc-iso.js', 'build', '--image', source, '--json'], {
    env,
    extendEnv: true,
    reject: false,
    cwd: REPO_ROOT,
    timeout: 300_000,
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '{}';
  return { exitCode: run.exitCode, json: JSON.parse(last) as Record<string, unknown>, stderr: run.stderr };
}

describe('signature policy on pulls', () => {
  it('builds a correctly signed image and refuses unsigned and wrongly signed ones, without retrying', async () => {
    expect(findTool('gpg')).toBeTruthy();
    const host = tb.registry.host;
    const signed = await build(`${host}/bootc/signed-os:1`);
    expect(signed.exitCode).toBe(0);
    expect(signed.json.iso).toBeTruthy();

    const refused = [
      await build(tb.sourceRef), // never signed
      await build(`${host}/bootc/forged-os:1`), // signed, by a key the policy does not trust
    ];
    const accepted = refused.filter((r) => r.exitCode === 0).length;
    console.log(`unsigned images accepted: ${accepted} (of 2: one unsigned, one signed by another key)`);
    for (const result of refused) {
      expect(result.exitCode).toBe(1);
      expect(result.json.error).toMatchObject({
        code: 'SIGNATURE_REJECTED',
        message: expect.stringContaining('is not signed as this service requires'),
      });
    }
    expect(accepted).toBe(0);
    // One attempt each (attempts: 2 in the config): a rejected signature is not retried.
    const jobs = await execa('node', ['bin/bootc-iso.js', 'jobs', '--state', 'failed', '--json'], {
      env,
      extendEnv: true,
      cwd: REPO_ROOT,
    });
    const failed = JSON.parse(jobs.stdout.trim().split('\n').at(-1) ?? '[]') as { attemptsMade?: number }[];
    expect(failed).toHaveLength(2);
    for (const job of failed) expect(job.attemptsMade).toBe(1);
  });
});
