import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loginRegistry,
  mountsUnder,
  pingRedis,
  podman,
  requireTools,
  SOURCE_OS_NAME,
  startRedis,
  startTestbed,
  TESTBED_TOOLS,
  type Testbed,
} from '../testbed/index.ts';

// Proves the test bed is real: the registry enforces auth, podman pulls through it with an isolated storage, and
// the bootc-image-builder stand-in honours BIB's invocation, refusals and output layout.

let tb: Testbed;
let work: string;
let runs = 0;

interface BuilderRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  outDir: string;
}

/** The production invocation (the mounts and flags upstream documents), with the isolated storage as the host storage. */
async function runBuilder(
  args: string[],
  opts: {
    config?: { file: 'config.toml' | 'config.json'; content: string };
    storage?: boolean;
    extra?: string[];
  } = {},
): Promise<BuilderRun> {
  const dir = join(work, `run-${++runs}`);
  const outDir = join(dir, 'output');
  await mkdir(outDir, { recursive: true });
  const mounts: string[] = [];
  if (opts.config) {
    const cfg = join(dir, opts.config.file);
    await writeFile(cfg, opts.config.content);
    mounts.push('-v', `${cfg}:/${opts.config.file}:ro`);
  }
  mounts.push('-v', `${outDir}:/output`);
  if (opts.storage ?? true) mounts.push('-v', `${tb.podman.graphRoot}:/var/lib/containers/storage`);
  const result = await execa(
    'podman',
    [
      'run',
      '--rm',
      '--privileged',
      '--pull=never',
      '--security-opt',
      'label=type:unconfined_t',
      ...mounts,
      ...(opts.extra ?? []),
      tb.builderRef,
      ...args,
    ],
    { env: tb.podman.env, stdin: 'ignore', reject: false, timeout: 120_000 },
  );
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, outDir };
}

/** Reads one file out of an ISO with xorriso (no mount needed). */
async function isoFile(iso: string, path: string): Promise<string> {
  const dest = join(work, `extract-${++runs}`);
  await execa('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', path, dest]);
  return readFile(dest, 'utf8');
}

/** One inline Redis command over a raw socket; returns the first reply line. */
async function redisCommand(port: number, command: string): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  try {
    await once(socket, 'connect');
    socket.write(`${command}\r\n`);
    let reply = '';
    for await (const chunk of socket) {
      reply += String(chunk);
      const lines = reply.split('\r\n');
      if (lines.length > 2 || (lines.length === 2 && !reply.startsWith('$')))
        return lines.slice(0, 2).join('\n');
    }
    return reply;
  } finally {
    socket.destroy();
  }
}

async function pull(ref: string): Promise<void> {
  await podman(tb.podman, ['pull', '--quiet', '--tls-verify=false', ref]);
}

beforeAll(async () => {
  requireTools([...TESTBED_TOOLS, 'file']);
  work = await mkdtemp(join(tmpdir(), 'bootc-iso-testbed-test-'));
  tb = await startTestbed();
});

afterAll(async () => {
  await tb?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('testbed services', () => {
  it('runs a private redis, s3rver with the bucket, and an authenticating registry on 127.0.0.1', async () => {
    expect(tb.redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await pingRedis(tb.redis.port)).toBe(true);

    expect(tb.s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Like a real store: anonymous listing is refused, a signed one works.
    expect((await fetch(`${tb.s3.endpoint}/${tb.s3.bucket}`)).status).toBe(403);
    const s3 = new S3Client({
      region: tb.s3.region,
      endpoint: tb.s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: tb.s3.accessKeyId, secretAccessKey: tb.s3.secretAccessKey },
    });
    expect((await s3.send(new ListObjectsV2Command({ Bucket: tb.s3.bucket }))).Name).toBe(tb.s3.bucket);
    s3.destroy();

    expect(tb.registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect((await fetch(`http://${tb.registry.host}/v2/`)).status).toBe(401);
    const basic = `Basic ${Buffer.from(`${tb.registry.username}:${tb.registry.password}`).toString('base64')}`;
    const catalog = await fetch(`http://${tb.registry.host}/v2/_catalog`, {
      headers: { authorization: basic },
    });
    expect(catalog.status).toBe(200);
    expect(((await catalog.json()) as { repositories: string[] }).repositories).toEqual(
      expect.arrayContaining(['bootc/bib-standin', 'bootc/demo-os']),
    );
  });

  it('restarts an appendonly redis on the same port with its data', async () => {
    const redis = await startRedis({ appendonly: true });
    try {
      expect(await redisCommand(redis.port, 'SET testbed-key kept')).toBe('+OK\n');
      await redis.restart();
      expect(await redisCommand(redis.port, 'GET testbed-key')).toBe('$4\nkept');
    } finally {
      await redis.stop();
    }
    expect(await pingRedis(redis.port)).toBe(false);
  });

  it('leaves the isolated podman storage empty, so a worker has to pull', async () => {
    expect(tb.builderRef).toBe(`${tb.registry.host}/bootc/bib-standin:1`);
    expect(tb.sourceRef).toBe(`${tb.registry.host}/bootc/demo-os:1`);
    expect((await podman(tb.podman, ['images', '--all', '--quiet'])).stdout.trim()).toBe('');
    const conf = await readFile(tb.podman.env.CONTAINERS_STORAGE_CONF ?? '', 'utf8');
    expect(conf).toContain(`graphroot = "${tb.podman.graphRoot}"`);
  });
});

describe('registry auth', () => {
  it('refuses a wrong password and an anonymous pull with an auth error', async () => {
    const authfile = join(work, 'wrong-auth.json');
    await expect(
      loginRegistry(
        tb.podman,
        tb.registry.host,
        { username: tb.registry.username, password: 'wrong' },
        { authfile },
      ),
    ).rejects.toThrow(/invalid username\/password|unauthorized/i);
    await writeFile(authfile, '{"auths":{}}\n');
    const anonymous = await execa(
      'podman',
      ['pull', '--quiet', '--tls-verify=false', '--authfile', authfile, tb.sourceRef],
      { env: tb.podman.env, stdin: 'ignore', reject: false },
    );
    expect(anonymous.exitCode).not.toBe(0);
    expect(anonymous.stderr).toMatch(/unauthorized|authentication required/i);
  });

  it('pulls the builder and the source image after logging in with the right password', async () => {
    await loginRegistry(tb.podman, tb.registry.host, tb.registry);
    await pull(tb.builderRef);
    await pull(tb.sourceRef);
    const { stdout } = await podman(tb.podman, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(stdout.split('\n')).toEqual(expect.arrayContaining([tb.builderRef, tb.sourceRef]));
    const labels = await podman(tb.podman, [
      'image',
      'inspect',
      '--format',
      '{{json .Labels}}',
      tb.sourceRef,
    ]);
    expect(JSON.parse(labels.stdout)).toMatchObject({ 'containers.bootc': '1' });
  });
});

describe('bootc-image-builder stand-in', () => {
  const config = [
    '[[customizations.user]]',
    'name = "admin"',
    'key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITEST admin@example"',
    'groups = ["wheel"]',
    '',
    '[customizations.kernel]',
    'append = "console=tty0"',
    '',
    '[customizations.iso]',
    'volume_id = "DEMO-INSTALL"',
    '',
  ].join('\n');

  it('builds a real ISO from the pulled source image with the production invocation', async () => {
    const run = await runBuilder(['--type', 'anaconda-iso', '--progress', 'verbose', tb.sourceRef], {
      config: { file: 'config.toml', content: config },
    });
    // Like the builder: its last two lines go to stderr.
    expect(run.stderr).toBe('Build complete!\nResults saved in .');
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Generating manifest manifest-anaconda-iso.json');
    expect(lines).toContain('Building manifest-anaconda-iso.json');
    expect(run.stdout).toContain('starting -Pipeline source org.osbuild.containers-storage');
    expect(run.stdout).toMatch(/^Pipeline build: [0-9a-f]{64}$/m);
    expect(run.stdout).toMatch(/^org\.osbuild\.xorrisofs: /m);
    expect(lines.filter((l) => /^⏱ {2}Duration: \d+\.\d{2}s$/.test(l)).length).toBeGreaterThanOrEqual(5);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('manifest - finished successfully');

    const manifest = JSON.parse(await readFile(join(run.outDir, 'manifest-anaconda-iso.json'), 'utf8'));
    expect(manifest).toMatchObject({ source: tb.sourceRef, type: 'anaconda-iso' });

    const iso = join(run.outDir, 'bootiso', 'install.iso');
    expect((await stat(iso)).size).toBeGreaterThan(100_000);
    const { stdout: kind } = await execa('file', ['-b', iso]);
    expect(kind).toMatch(/ISO 9660 CD-ROM filesystem data 'DEMO-INSTALL'/);

    expect((await isoFile(iso, '/SOURCE')).trim()).toBe(tb.sourceRef);
    expect((await isoFile(iso, '/ARGS')).trim().split('\n')).toEqual([
      '--type',
      'anaconda-iso',
      '--progress',
      'verbose',
      tb.sourceRef,
    ]);
    expect(await isoFile(iso, '/CONFIG')).toBe(config);
    expect((await isoFile(iso, '/MOUNTS')).trim().split('\n')).toEqual([
      '/output rw',
      '/config.toml ro',
      '/var/lib/containers/storage rw',
    ]);
    expect(await isoFile(iso, '/OS-RELEASE')).toContain(`NAME="${SOURCE_OS_NAME}"`);
  });

  it('labels the ISO Container-Installer-<arch> without a config and accepts /config.json', async () => {
    const bare = await runBuilder(['--type', 'iso', tb.sourceRef]);
    expect(bare.exitCode).toBe(0);
    const { stdout: arch } = await execa('uname', ['-m']);
    const { stdout: kind } = await execa('file', ['-b', join(bare.outDir, 'bootiso', 'install.iso')]);
    expect(kind).toContain(`'Container-Installer-${arch}'`);
    expect(await stat(join(bare.outDir, 'manifest-iso.json'))).toBeTruthy();

    const json = await runBuilder(['--type', 'iso', tb.sourceRef], {
      config: { file: 'config.json', content: '{"customizations":{"iso":{"volume_id":"JSON-LABEL"}}}' },
    });
    expect(json.exitCode).toBe(0);
    const { stdout: jsonKind } = await execa('file', ['-b', join(json.outDir, 'bootiso', 'install.iso')]);
    expect(jsonKind).toContain("'JSON-LABEL'");
  });

  it('prints build_revision, build_time and build_tainted for `version`', async () => {
    const run = await runBuilder(['version'], { storage: false });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^build_revision: .+\nbuild_time: .+\nbuild_tainted: (true|false)$/);
  });

  describe('refuses like BIB', () => {
    it('without the container storage mount', async () => {
      const run = await runBuilder(['--type', 'anaconda-iso', tb.sourceRef], { storage: false });
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(
        'could not access container storage, did you forget -v /var/lib/containers/storage:/var/lib/containers/storage?',
      );
    });

    it('a kickstart together with users', async () => {
      const ks = `${config}\n[customizations.installer.kickstart]\ncontents = """\ntext --non-interactive\nreboot\n"""\n`;
      const run = await runBuilder(['--type', 'anaconda-iso', tb.sourceRef], {
        config: { file: 'config.toml', content: ks },
      });
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(
        'customizations.installer.kickstart.contents cannot be used with customizations.user or customizations.group',
      );
      expect(run.stdout).not.toContain('Build complete!');
    });

    it('customizations that ISO images do not support', async () => {
      const run = await runBuilder(['--type', 'anaconda-iso', tb.sourceRef], {
        config: {
          file: 'config.toml',
          content: '[[customizations.filesystem]]\nmountpoint = "/"\nminsize = "10 GiB"\n',
        },
      });
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/unsupported customization.*customizations\.filesystem/);
    });

    it('an untagged source reference', async () => {
      const untagged = tb.sourceRef.replace(/:1$/, '');
      const run = await runBuilder(['--type', 'anaconda-iso', untagged]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(`image ${untagged} has no tag`);
    });

    it('a source image that was not pulled', async () => {
      const ref = `${tb.registry.host}/bootc/demo-os:never-pulled`;
      const run = await runBuilder(['--type', 'anaconda-iso', ref]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(`cannot find image ${ref} in local storage; pull it first`);
    });

    it('ISO and disk types together, unknown types, foreign arches and unknown flags', async () => {
      const mixed = await runBuilder(['--type', 'anaconda-iso', '--type', 'qcow2', tb.sourceRef]);
      expect([mixed.exitCode, mixed.stderr]).toEqual([1, 'error: cannot mix ISO/disk images in request']);
      const unknown = await runBuilder(['--type', 'floppy', tb.sourceRef]);
      expect(unknown.exitCode).toBe(1);
      expect(unknown.stderr).toContain('unsupported image type "floppy"');
      const foreign = await runBuilder(['--type', 'iso', '--target-arch', 'riscv64', tb.sourceRef]);
      expect([foreign.exitCode, foreign.stderr]).toEqual([
        1,
        'error: cannot build iso for different target arches yet',
      ]);
      const flag = await runBuilder(['--type', 'iso', '--frobnicate', tb.sourceRef]);
      expect(flag.exitCode).toBe(2);
      expect(flag.stderr).toContain('unknown flag: --frobnicate');
    });
  });

  describe('fault modes', () => {
    it('fail-build prints progress, then fails like osbuild', async () => {
      await pull(tb.faultRefs.fail);
      const run = await runBuilder(['--type', 'anaconda-iso', '--progress', 'verbose', tb.faultRefs.fail]);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toContain('Building manifest-anaconda-iso.json');
      expect(run.stderr).toContain('error: osbuild failed');
      await expect(stat(join(run.outDir, 'bootiso', 'install.iso'))).rejects.toThrow();
    });

    it('hang-build stops on podman stop (SIGTERM) without waiting for SIGKILL', async () => {
      await pull(tb.faultRefs.hang);
      const name = `testbed-hang-${process.pid}`;
      const out = join(work, 'hang-output');
      await mkdir(out);
      const running = execa(
        'podman',
        ['run', '--rm', '--privileged', '--pull=never', '--name', name, '-v', `${out}:/output`]
          .concat(['-v', `${tb.podman.graphRoot}:/var/lib/containers/storage`, tb.builderRef])
          .concat(['--type', 'anaconda-iso', '--progress', 'verbose', tb.faultRefs.hang]),
        { env: tb.podman.env, stdin: 'ignore', reject: false, timeout: 120_000 },
      );
      let stdout = '';
      running.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
      });
      await expect.poll(() => stdout, { timeout: 30_000 }).toMatch(/Duration: [\d.]+s/);
      const started = Date.now();
      await podman(tb.podman, ['stop', '--time', '20', name]);
      expect(Date.now() - started).toBeLessThan(10_000);
      const run = await running;
      expect(run.exitCode).toBe(143);
      expect(run.stdout).toContain('starting -Pipeline source');
      expect(run.stdout).not.toContain('Build complete!');
    });
  });
});

describe('teardown', () => {
  it('stop() leaves no process, port, mount or directory behind', async () => {
    const { redis, registry, s3, podman: penv } = tb;
    await tb.stop();
    expect(await pingRedis(redis.port)).toBe(false);
    await expect(fetch(`http://${registry.host}/v2/`)).rejects.toThrow();
    await expect(fetch(s3.endpoint)).rejects.toThrow();
    expect(await mountsUnder(penv.dir)).toEqual([]);
    for (const dir of [redis.dir, registry.dir, s3.dir, penv.dir, penv.runRoot]) {
      await expect(stat(dir)).rejects.toThrow(/ENOENT/);
    }
  });
});
