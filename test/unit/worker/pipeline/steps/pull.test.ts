import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../src/domain/errors.ts';
import { BuildLog } from '../../../../../workers/pipeline/build-log.ts';
import { type PullContext, pull } from '../../../../../workers/pipeline/steps/pull.ts';
import { createPodman } from '../../../../../workers/podman.ts';
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

async function context(source: string): Promise<{ ctx: PullContext; dir: string; logPath: string }> {
  const dir = await tempDir();
  const logPath = join(dir, 'build.log');
  return {
    dir,
    logPath,
    ctx: {
      podman: createPodman(await fakePodman(dir), silent, { env: { PATH: '/usr/bin:/bin' } }),
      signal: new AbortController().signal,
      logger: silent,
      request: request({ source }),
      settings: { registries: {}, worker: { timeouts: { pullSeconds: 120 } } },
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
    expect(log).toMatch(/\$ podman pull --quiet --authfile \S+ registry\.example\.com\/org\/missing:1/);
    expect(log).toContain('manifest unknown');
  });

  it('records the digest of every pulled image and the time of each pull', async () => {
    const dir = await tempDir();
    const ctx: PullContext = {
      podman: {
        ...createPodman('/nonexistent/podman', silent),
        pull: async () => undefined,
        imageDigest: async (ref) => (ref.includes('bib') ? DIGEST_A : `sha256:${'d'.repeat(64)}`),
      },
      signal: new AbortController().signal,
      logger: silent,
      request: request(),
      settings: { registries: {}, worker: { timeouts: { pullSeconds: 120 } } },
      state: {
        paths: { root: dir, authFile: join(dir, 'auth.json'), configToml: '', outputDir: '', buildLog: '' },
        timings: {},
      },
    };
    await pull.run(ctx, { defer: () => undefined });
    expect(ctx.state.pulled).toEqual({ builderDigest: DIGEST_A, sourceDigest: `sha256:${'d'.repeat(64)}` });
    expect(Object.keys(ctx.state.timings).sort()).toEqual(['pullBuilder', 'pullSource']);
  });
});
