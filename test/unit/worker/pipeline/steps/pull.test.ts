import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../src/domain/errors.ts';
import { BuildLog } from '../../../../../workers/pipeline/build-log.ts';
import { type PullContext, pull } from '../../../../../workers/pipeline/steps/pull.ts';
import { createPodman, type Podman } from '../../../../../workers/podman.ts';
import { DIGEST_A, request, silent, tempDir } from '../support.ts';

/**
 * A stand-in `podman` executable (a real child process, so killing and exiting are real): a pull of an image named
 * "missing" fails like podman does once the other pull is running, any other pull records its pid and hangs; `image inspect` answers a digest.
 */
async function fakePodman(dir: string): Promise<string> {
  const path = join(dir, 'podman');
  await writeFile(
    path,
    `#!/bin/sh
case "$1" in
  pull)
    for a in "$@"; do ref="$a"; done
    case "$ref" in
      *missing*) while [ ! -s "${dir}/pids" ]; do sleep 0.05; done
        echo "Error: initializing source docker://$ref: reading manifest 1: manifest unknown" >&2; exit 125 ;;
    esac
    echo $$ >> "${dir}/pids"
    exec sleep 60 ;;
  image) echo "${DIGEST_A}" ;;
esac
`,
  );
  await chmod(path, 0o755);
  return path;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The real podman reads image sizes from the registry with skopeo; these tests reach no registry. */
function withoutSizeCheck(podman: Podman): Podman {
  const { imageSize: _, ...rest } = podman;
  return rest;
}

function settings(dir: string, minFreeDiskGiB = 0): PullContext['settings'] {
  return {
    workerName: 'host-a',
    registries: {},
    worker: { timeouts: { pullSeconds: 120 }, workDir: dir, containerStorage: dir, minFreeDiskGiB },
  };
}

async function context(source: string): Promise<{ ctx: PullContext; dir: string; logPath: string }> {
  const dir = await tempDir();
  const logPath = join(dir, 'build.log');
  return {
    dir,
    logPath,
    ctx: {
      podman: withoutSizeCheck(
        createPodman(await fakePodman(dir), silent, { env: { PATH: '/usr/bin:/bin' } }),
      ),
      signal: new AbortController().signal,
      logger: silent,
      request: request({ source }),
      settings: settings(dir),
      state: {
        paths: {
          root: dir,
          authFile: join(dir, 'auth.json'),
          configToml: '',
          outputDir: '',
          buildLog: logPath,
        },
        log: new BuildLog(logPath),
        timings: {},
      },
    },
  };
}

describe('pull step', () => {
  it('stops the sibling pulls as soon as one fails, and returns only once no podman of it is left', async () => {
    const { ctx, dir, logPath } = await context('registry.example.com/org/missing:1');
    const started = Date.now();
    const error = await pull.run(ctx, { defer: () => undefined }).catch((e: unknown) => e);
    const tookMs = Date.now() - started;
    expect(error).toBeInstanceOf(AppError);
    // The cause is the failed pull, not the sibling that was stopped because of it.
    expect((error as AppError).code).toBe('IMAGE_NOT_FOUND');
    expect((error as AppError).message).toContain('org/missing:1');
    const pids = (await readFile(join(dir, 'pids'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map(Number);
    expect(pids).toHaveLength(1);
    const left = pids.filter(alive);
    console.log(
      `pull siblings: ${pids.length} hanging pull(s) stopped in ${tookMs} ms after one failed; still running: ${left.length}`,
    );
    expect(left).toEqual([]);
    expect(tookMs).toBeLessThan(15_000);
    await ctx.state.log?.close();
    // The failed pull's command and podman's answer are in the build log.
    const log = await readFile(logPath, 'utf8');
    expect(log).toMatch(
      /\$ podman pull --quiet --authfile \S+ --signature-policy \S+ registry\.example\.com\/org\/missing:1/,
    );
    expect(log).toContain('manifest unknown');
  });

  it('records the digest of every pulled image and the time of each pull, through the signature policy', async () => {
    const { ctx, pulls } = await stubbed();
    await pull.run(ctx, { defer: () => undefined });
    expect(ctx.state.pulled).toEqual({ builderDigest: DIGEST_A, sourceDigest: `sha256:${'d'.repeat(64)}` });
    expect(Object.keys(ctx.state.timings).sort()).toEqual(['pullBuilder', 'pullSource']);
    // With no signature rules the written policy accepts anything, and every pull goes through it.
    expect(pulls).toHaveLength(2);
    const policy = JSON.parse(await readFile(pulls[0] ?? '', 'utf8')) as { default: { type: string }[] };
    expect(policy.default).toEqual([{ type: 'insecureAcceptAnything' }]);
  });

  it('checks the free disk again after the pulls, since the images took some of it', async () => {
    const { ctx } = await stubbed(10);
    ctx.readFree = async () => 4 * 1024 ** 3;
    const error = await pull.run(ctx, { defer: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('DISK_FULL');
    expect((error as AppError).message).toMatch(
      /4\.0 GiB free on .* after pulling the images, below the 10 GiB/,
    );
  });

  it('refuses an image the registry says is over worker.maxImageGiB, before pulling it', async () => {
    const { ctx, pulls } = await stubbed(0, async () => 30 * 1024 ** 3);
    const error = await pull.run(ctx, { defer: () => undefined }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('INVALID_REQUEST');
    expect((error as AppError).message).toContain('worker.maxImageGiB');
    expect(pulls).toEqual([]);
  });

  it('pulls none of the images when one is over the limit, however fast the others answer', async () => {
    const sizes: string[] = [];
    const { ctx, pulls } = await stubbed(0, async (ref) => {
      sizes.push(ref);
      // The builder answers at once and is small; the source is slow and too large.
      if (ref.includes('bib')) return 1024;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 30 * 1024 ** 3;
    });
    const error = await pull.run(ctx, { defer: () => undefined }).catch((e: unknown) => e);
    expect((error as AppError).message).toMatch(/30\.0 GiB compressed, over the 20 GiB/);
    expect(sizes).toHaveLength(2);
    expect(pulls).toEqual([]);
  });
});

async function stubbed(minFreeDiskGiB = 0, imageSize?: Podman['imageSize']) {
  const dir = await tempDir();
  const pulls: string[] = [];
  const ctx: PullContext = {
    podman: {
      ...withoutSizeCheck(createPodman('/nonexistent/podman', silent)),
      ...(imageSize ? { imageSize } : {}),
      pull: async (o) => void pulls.push(o.signaturePolicy ?? ''),
      imageDigest: async (ref) => (ref.includes('bib') ? DIGEST_A : `sha256:${'d'.repeat(64)}`),
    },
    signal: new AbortController().signal,
    logger: silent,
    request: request(),
    settings: {
      ...settings(dir, minFreeDiskGiB),
      worker: { ...settings(dir, minFreeDiskGiB).worker, maxImageGiB: 20 },
    },
    state: {
      paths: { root: dir, authFile: join(dir, 'auth.json'), configToml: '', outputDir: '', buildLog: '' },
      timings: {},
    },
  };
  return { ctx, pulls };
}
