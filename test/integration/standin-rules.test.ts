import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBibConfigToml } from '../../src/domain/bib-config.ts';
import { BibProgressParser } from '../../src/domain/bib-progress.ts';
import { Customizations } from '../../src/domain/build-request.ts';
import {
  loginRegistry,
  podman,
  requireTools,
  startTestbed,
  TESTBED_TOOLS,
  type Testbed,
} from '../testbed/index.ts';
import { readIsoFile, runStandIn, type StandInOptions } from '../testbed/run-standin.ts';
import { BCRYPT_HASH, ED25519_KEY, SHA512_HASH, YESCRYPT_HASH } from '../unit/domain/fixtures.ts';

// The stand-in refuses, drops and re-hashes what the real builder does, so tests against it see the real outcome.

let tb: Testbed;
let work: string;
let runs = 0;

const run = (args: string[], opts: StandInOptions = {}) => runStandIn(tb, work, ++runs, args, opts);
const toml = (content: string) => ({ config: { file: 'config.toml' as const, content } });
const iso = (outDir: string) => join(outDir, 'bootiso', 'install.iso');
const isoText = (outDir: string, path: string) => readIsoFile(iso(outDir), path, join(work, `x-${++runs}`));

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  work = await mkdtemp(join(tmpdir(), 'bootc-iso-standin-rules-'));
  tb = await startTestbed();
  await loginRegistry(tb.podman, tb.registry.host, tb.registry);
  for (const ref of [tb.builderRef, tb.oldBuilderRef, tb.sourceRef, tb.unlabelledRef, tb.foreignArchRef])
    await podman(tb.podman, ['pull', '--quiet', '--tls-verify=false', ref]);
});

afterAll(async () => {
  await tb?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the stand-in checks the source image and the host like the builder', () => {
  it('refuses a source without the containers.bootc=1 label, late (after the manifest starts), with no ISO', async () => {
    const out = await run(['--type', 'iso', tb.unlabelledRef]);
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toContain('Generating manifest manifest-iso.json');
    expect(out.stderr).toBe(
      `error: cannot build manifest: image ${tb.unlabelledRef} is not a bootc image (it has no label containers.bootc=1)`,
    );
    await expect(stat(iso(out.outDir))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a source image of another architecture', async () => {
    const out = await run(['--type', 'iso', tb.foreignArchRef]);
    expect(out.exitCode).toBe(1);
    const want = tb.foreignArch === 'arm64' ? 'aarch64' : tb.foreignArch;
    expect(out.stderr).toMatch(new RegExp(`^error: image found is for unexpected architecture "${want}"`));
  });

  it('refuses to run in a user namespace, as under rootless podman', async () => {
    const out = await run(['--type', 'iso', tb.sourceRef], { extra: ['--uidmap', '0:100000:65536'] });
    expect([out.exitCode, out.stderr]).toEqual([
      1,
      'error: this command must be run in rootful (not rootless) podman',
    ]);
  });
});

describe('the stand-in reads config like the builder', () => {
  it('fails on [customizations.iso] on an older builder: unknown keys found', async () => {
    const out = await run(['--type', 'iso', tb.sourceRef], {
      builder: tb.oldBuilderRef,
      ...toml('[customizations.iso]\nvolume_id = "DEMO"\n'),
    });
    expect([out.exitCode, out.stderr]).toEqual([
      1,
      'error: cannot load config "/config.toml": unknown keys found: [customizations.iso customizations.iso.volume_id]',
    ]);
  });

  it('fails on any key the builder does not know, also on a newer builder', async () => {
    for (const content of [
      '[customizations.frobnicate]\nx = 1\n',
      '[[customizations.user]]\nname = "a"\npasswd = "x"\n',
    ]) {
      const out = await run(['--type', 'iso', tb.sourceRef], toml(content));
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toMatch(/unknown keys found: \[customizations\.(frobnicate|user\.passwd)/);
    }
  });

  it('answers bootc-installer with "unsupported image type" on an older builder', async () => {
    const out = await run(
      ['--type', 'bootc-installer', '--installer-payload-ref', tb.sourceRef, tb.sourceRef],
      {
        builder: tb.oldBuilderRef,
      },
    );
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('unsupported image type "bootc-installer"');
  });

  it('refuses a volume id with a dot, and a section without volume_id as an invalid volume id ""', async () => {
    const dot = await run(
      ['--type', 'iso', tb.sourceRef],
      toml('[customizations.iso]\nvolume_id = "MY.ISO"\n'),
    );
    expect([dot.exitCode, dot.stderr]).toEqual([1, 'error: invalid volume id "MY.ISO"']);
    const none = await run(
      ['--type', 'iso', tb.sourceRef],
      toml('[customizations.iso]\npublisher = "ACME"\n'),
    );
    expect([none.exitCode, none.stderr]).toEqual([1, 'error: invalid volume id ""']);
  });
});

describe('what the stand-in would install (osbuild.ks on the ISO)', () => {
  const users = (password: string) =>
    stringify({
      customizations: {
        user: [
          { name: 'kept', password: SHA512_HASH, groups: ['wheel'] },
          { name: 'bcrypt', password: BCRYPT_HASH },
          { name: 'wrong', password },
          { name: 'root', key: ED25519_KEY },
        ],
        kernel: { append: 'console=ttyS0' },
      },
    });

  it('keeps $6$ and $2b$ hashes, re-hashes others as plain text, and writes root only as a key', async () => {
    const out = await run(['--type', 'iso', tb.sourceRef], {
      builder: tb.oldBuilderRef,
      ...toml(users(YESCRYPT_HASH)),
    });
    expect(out.exitCode).toBe(0);
    const ks = (await isoText(out.outDir, '/osbuild.ks')).split('\n');
    expect(ks).toContain(`user --name=kept --groups=wheel --password=${SHA512_HASH} --iscrypted`);
    expect(ks).toContain(`user --name=bcrypt --password=${BCRYPT_HASH} --iscrypted`);
    const wrong = ks.find((l) => l.startsWith('user --name=wrong '));
    // The $y$ hash reached the ISO as the SHA-512 of its own text: nobody can log in with the intended password.
    expect(wrong).toMatch(/^user --name=wrong --password=\$6\$[^ ]+ --iscrypted$/);
    expect(wrong).not.toContain(YESCRYPT_HASH);
    expect(ks).toContain(`sshkey --username=root "${ED25519_KEY}"`);
    expect(ks).toContain('rootpw --lock');
    expect(ks.some((l) => l.startsWith('user --name=root'))).toBe(false);
    expect(ks).toContain("bootloader --append='console=ttyS0'");
  });

  it('keeps a yescrypt hash on a builder that declares yescrypt', async () => {
    const out = await run(['--type', 'iso', tb.sourceRef], toml(users(YESCRYPT_HASH)));
    expect(out.exitCode).toBe(0);
    expect(await isoText(out.outDir, '/osbuild.ks')).toContain(
      `user --name=wrong --password=${YESCRYPT_HASH} --iscrypted`,
    );
  });

  it('drops kernel arguments and the root filesystem next to a kickstart, without a word', async () => {
    const c = Customizations.parse({
      kickstart: 'text --non-interactive\nautopart\nreboot\n',
      kernelAppend: 'quiet',
    });
    const out = await run(['--type', 'iso', '--rootfs', 'xfs', tb.sourceRef], toml(toBibConfigToml(c)));
    expect(out.exitCode).toBe(0);
    const ks = await isoText(out.outDir, '/osbuild.ks');
    expect(ks).toBe('%include /run/install/repo/osbuild-base.ks\ntext --non-interactive\nautopart\nreboot\n');
    expect(ks).not.toContain('quiet');
    expect(ks).not.toContain('xfs');
  });
});

describe('the stand-in output', () => {
  it('is what the worker parses: two-decimal durations, Build complete! and Results saved in . on stderr', async () => {
    const out = await run(
      ['--type', 'iso', '--progress', 'verbose', tb.sourceRef],
      toml('[customizations.iso]\nvolume_id = "Demo_1"\n'),
    );
    expect(out.exitCode).toBe(0);
    expect(out.stderr.split('\n')).toEqual(['Build complete!', 'Results saved in .']);
    const parser = new BibProgressParser();
    const events = [...out.stdout.split('\n'), ...out.stderr.split('\n')].flatMap(
      (l) => parser.push(l) ?? [],
    );
    expect(events.at(-1)).toMatchObject({ stage: 'complete', percent: 100 });
    expect(out.stdout).toMatch(/^⏱ {2}Duration: \d+\.\d{2}s$/m);
  });
});
