import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildLog } from '../../../../../workers/pipeline/build-log.ts';
import { type UploadContext, upload } from '../../../../../workers/pipeline/steps/upload.ts';
import { localStore, silent, tempDir } from '../support.ts';

async function context(): Promise<UploadContext> {
  const dir = await tempDir();
  const iso = join(dir, 'install.iso');
  const qcow2 = join(dir, 'disk.qcow2');
  await writeFile(iso, 'ISO-BYTES');
  await writeFile(qcow2, 'QFI\xfbDISK');
  return {
    buildId: 'bup000001',
    store: await localStore(),
    logger: silent,
    signal: new AbortController().signal,
    progress: () => undefined,
    settings: { worker: { timeouts: { uploadSeconds: 60 } } },
    state: {
      paths: { root: dir, authFile: '', configToml: '', outputDir: dir, buildLog: join(dir, 'build.log') },
      log: new BuildLog(join(dir, 'build.log')),
      outputs: [
        { type: 'iso', path: iso },
        { type: 'qcow2', path: qcow2 },
      ],
      artifacts: [],
    },
  };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('upload step', () => {
  it('uploads every image under its own key and then the log, recording each as an artifact', async () => {
    const ctx = await context();
    await upload.run(ctx, { defer: () => undefined });
    expect(ctx.state.artifacts).toEqual([
      {
        role: 'image',
        type: 'iso',
        key: 'builds/bup000001/install.iso',
        filename: 'bup000001-install.iso',
        size: 9,
        sha256: sha256('ISO-BYTES'),
      },
      {
        role: 'image',
        type: 'qcow2',
        key: 'builds/bup000001/qcow2/disk.qcow2',
        filename: 'bup000001-disk.qcow2',
        size: Buffer.byteLength('QFI\xfbDISK'),
        sha256: sha256('QFI\xfbDISK'),
      },
      expect.objectContaining({ role: 'log', type: 'log', key: 'builds/bup000001/build.log' }),
    ]);
    // The uploaded log already says what was uploaded.
    const log = await ctx.store.getObjectText('builds/bup000001/build.log');
    expect(log).toContain(`uploaded builds/bup000001/install.iso: 9 bytes, sha256 ${sha256('ISO-BYTES')}`);
  });

  it('is skipped when an identical build answered', async () => {
    const ctx = await context();
    ctx.state.reused = {
      buildId: 'b',
      manifestKey: 'm',
      iso: { key: 'k', size: 1, sha256: 's', filename: 'f' },
      logKey: 'l',
      finishedAt: 't',
    };
    expect(upload.skip?.(ctx, undefined)).toBe('answered by an identical build');
  });

  it('uploads images under the attempt’s own keys while the attempt holds the build', async () => {
    const ctx = await context();
    const checks: string[] = [];
    ctx.fence = { tag: 'a1b2c3', check: async () => void checks.push('checked') };
    await upload.run(ctx, { defer: () => undefined });
    expect(ctx.state.artifacts.map((a) => a.key)).toEqual([
      'builds/bup000001/attempts/a1b2c3/install.iso',
      'builds/bup000001/attempts/a1b2c3/qcow2/disk.qcow2',
      'builds/bup000001/build.log',
    ]);
    // Before each image and before the log.
    expect(checks).toHaveLength(3);
  });

  it('uploads nothing once the attempt has lost the build', async () => {
    const ctx = await context();
    ctx.fence = {
      tag: 'a1b2c3',
      check: async () => {
        throw new Error('the build lock was lost');
      },
    };
    await expect(upload.run(ctx, { defer: () => undefined })).rejects.toThrow(/lock was lost/);
    const keys: string[] = [];
    for await (const key of ctx.store.listKeys('builds/')) keys.push(key);
    expect(keys).toEqual([]);
    expect(ctx.state.artifacts).toEqual([]);
  });
});
