import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Store } from '../../src/storage/s3-store.ts';
import { writeE2eConfig } from '../support/e2e-env.ts';
import { collectLines, type LineCollector, startTsx } from '../support/run-process.ts';
import { podman, requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';

const REGISTRY_USER = 'isobuilder';
const REGISTRY_PASSWORD = 'e2e-Disk-Pa55word-41c2';

let tb: Testbed;
let dir: string;
let env: Record<string, string>;
let worker: ReturnType<typeof startTsx>;
let workerOut: LineCollector;

interface ResultArtifact {
  role: string;
  type: string;
  key: string;
  filename: string;
  size: number;
  sha256: string;
  url?: string;
}

function cli(args: string[]) {
  return execa('node', ['bin/bootc-iso.js', ...args], { env, extendEnv: true, reject: false });
}

async function buildJson(args: string[]) {
  const run = await cli(['build', ...args, '--json']);
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
    buildId: string;
    logKey: string;
    manifestKey: string;
    artifacts: ResultArtifact[];
  };
}

/** Downloads an artifact by its link and checks it is what the result says. */
async function download(a: ResultArtifact): Promise<Buffer> {
  expect(a.url).toMatch(/^http:\/\//);
  const response = await fetch(a.url ?? '');
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  expect(bytes.length).toBe(a.size);
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(a.sha256);
  return bytes;
}

beforeAll(async () => {
  requireTools(TESTBED_TOOLS);
  tb = await startTestbed({ registryUser: REGISTRY_USER, registryPassword: REGISTRY_PASSWORD });
  dir = await mkdtemp(join(tmpdir(), 'bootc-iso-e2e-disk-'));
  ({ env } = await writeE2eConfig(tb, dir, { username: REGISTRY_USER, password: REGISTRY_PASSWORD }));
  worker = startTsx('workers/main.ts', env);
  workerOut = collectLines(worker);
  await workerOut.waitFor(/worker ready/, 60_000);
});

afterAll(async () => {
  worker?.kill('SIGTERM');
  await worker?.catch(() => undefined);
  await tb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('disk images and derived images', () => {
  it('builds two disk types in one builder run, each published with its own link', async () => {
    const result = await buildJson(['--image', tb.sourceRef, '--type', 'qcow2', '--type', 'vhd']);
    const images = result.artifacts.filter((a) => a.role === 'image');
    expect(images.map((a) => a.type)).toEqual(['qcow2', 'vhd']);
    expect(images.map((a) => a.filename)).toEqual([
      `${result.buildId}-disk.qcow2`,
      `${result.buildId}-disk.vhd`,
    ]);
    const qcow2 = await download(images[0] as ResultArtifact);
    expect(qcow2.subarray(0, 4)).toEqual(Buffer.from([0x51, 0x46, 0x49, 0xfb]));
    const vhd = await download(images[1] as ResultArtifact);
    expect(vhd.subarray(vhd.length - 512, vhd.length - 504).toString()).toBe('conectix');
    // One run: both types on one builder command line, and the disk config written for it.
    const args = qcow2.toString('latin1');
    expect(args).toContain('--type\nqcow2\n--type\nvhd\n');
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const log = await store.getObjectText(result.logKey);
    expect(log.match(/bootc-image-builder\.sh|== step \d+ of \d+: run-builder/g)?.length).toBe(1);
    expect(log).not.toContain('builder run 1 of');
    const manifest = JSON.parse(await store.getObjectText(result.manifestKey));
    expect(manifest.artifacts.map((a: ResultArtifact) => a.type)).toEqual([
      'qcow2',
      'vhd',
      'log',
      'checksums',
    ]);
    expect(Object.keys(manifest.identicalBuildKeys)).toEqual(['qcow2', 'vhd']);

    // The cache answers per type: a later request for one of them is served from this build.
    const again = await buildJson(['--image', tb.sourceRef, '--type', 'vhd']);
    const reused = again.artifacts.find((a) => a.role === 'image');
    expect(reused?.key).toBe(images[1]?.key);
    // A request that adds a type reuses what exists and builds only the new type.
    const more = await buildJson(['--image', tb.sourceRef, '--type', 'vhd', '--type', 'raw']);
    const moreImages = more.artifacts.filter((a) => a.role === 'image');
    expect(moreImages.map((a) => a.type)).toEqual(['vhd', 'raw']);
    expect(moreImages[0]?.key).toBe(images[1]?.key);
    // Under the attempt that made it.
    expect(moreImages[1]?.key).toMatch(
      new RegExp(`^builds/${more.buildId}/attempts/[0-9a-f]+/raw/disk\\.raw$`),
    );
    const moreLog = await store.getObjectText(more.logKey);
    expect(moreLog).toContain(`reusing the vhd image of identical build ${result.buildId}`);
    expect(moreLog).toMatch(/--type raw --progress verbose/);
    expect(moreLog).not.toMatch(/--type vhd/);
  });

  it('builds an ISO and a raw disk from one request in two builder runs', async () => {
    // --rebuild: the first test's raw image would otherwise answer for raw.
    const result = await buildJson(['--image', tb.sourceRef, '--type', 'iso', '--type', 'raw', '--rebuild']);
    const images = result.artifacts.filter((a) => a.role === 'image');
    expect(images.map((a) => a.type)).toEqual(['iso', 'raw']);
    const iso = await download(images[0] as ResultArtifact);
    const isoPath = join(dir, 'mixed.iso');
    await writeFile(isoPath, iso);
    expect((await execa('file', ['-b', isoPath])).stdout).toContain('ISO 9660');
    const raw = await download(images[1] as ResultArtifact);
    expect([raw[510], raw[511]]).toEqual([0x55, 0xaa]);
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const log = await store.getObjectText(result.logKey);
    expect(log).toContain('== builder run 1 of 2: iso');
    expect(log).toContain('== builder run 2 of 2: raw');
  });

  it('builds a derived image with podman and hands it to the builder', async () => {
    const containerfile = join(dir, 'Containerfile');
    await writeFile(
      containerfile,
      `FROM ${tb.sourceRef}\nRUN mkdir -p /etc/derived && echo from-a-run-step > /etc/derived/marker\n`,
    );
    const result = await buildJson([
      '--image',
      tb.sourceRef,
      '--type',
      'qcow2',
      '--containerfile',
      containerfile,
    ]);
    const image = result.artifacts.find((a) => a.role === 'image') as ResultArtifact;
    const qcow2 = (await download(image)).toString('latin1');
    // The builder saw the derived image (its local tag) and the file the RUN step wrote.
    expect(qcow2).toMatch(/localhost\/bootc-iso-derived:[0-9a-z]+/);
    expect(qcow2).toContain('/etc/derived/marker');
    const store = createS3Store({ ...tb.s3, forcePathStyle: true });
    const log = await store.getObjectText(result.logKey);
    expect(log).toContain('== step');
    expect(log).toMatch(/step \d+ of \d+: derive/);
    expect(log).toContain('podman build');
    expect(log).toContain('--network none');
    const manifest = JSON.parse(await store.getObjectText(result.manifestKey));
    expect(manifest.derived.digest).toMatch(/^sha256:/);
    // Built again, the derived image has the same digest (fixed timestamps): the earlier build answers.
    const again = await buildJson([
      '--image',
      tb.sourceRef,
      '--type',
      'qcow2',
      '--containerfile',
      containerfile,
    ]);
    expect(again.artifacts.find((a) => a.role === 'image')?.key).toBe(image.key);
    // The derived image is removed once the build is over.
    const { stdout } = await podman(tb.podman, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(stdout).toContain(tb.sourceRef.split('/').at(-1)?.split(':')[0]);
    expect(stdout).not.toContain(`bootc-iso-derived:${result.buildId}`);
  });

  it('refuses a Containerfile that starts from another image', async () => {
    const containerfile = join(dir, 'Other');
    await writeFile(containerfile, 'FROM docker.io/library/alpine:3\nRUN true\n');
    const run = await cli([
      'build',
      '--image',
      tb.sourceRef,
      '--type',
      'qcow2',
      '--containerfile',
      containerfile,
    ]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain('FROM must be the source image');
  });
});
