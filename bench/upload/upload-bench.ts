// Targets 2 and 3: the project's uploader against aws-cli and rclone on the same file and the same s3rver, peak RSS
// by file size, the one-pass hash against the same upload without hashing, and a part size / queue size grid.
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PART_SIZE, QUEUE_SIZE } from '../../src/storage/s3-store.ts';
import { type S3Handle, startS3 } from '../../test/testbed/s3.ts';
import { REPO_ROOT } from '../lib/proc.ts';
import { MIB, median, sizeLabel } from '../lib/stats.ts';

export type UploadTool = 'project' | 'nohash' | 'lib' | 'aws' | 'rclone';

export interface UploadSample {
  tool: UploadTool;
  label: string;
  bytes: number;
  /** Spawn to exit of the uploading process: what a user of the tool waits for. */
  wallMs: number;
  /** Node uploaders only: from the first byte read to the verified upload, inside the process. */
  inProcessMs?: number;
  mibPerSec: number;
  peakRssMiB: number;
  partMiB?: number;
  queueSize?: number;
  bodyHwmMiB?: number;
}

/** A file of `bytes` incompressible bytes (one random 16 MiB block, each copy stamped with its index). */
export async function generateFile(path: string, bytes: number): Promise<void> {
  if (existsSync(path)) return;
  const block = randomFillSync(Buffer.alloc(16 * MIB));
  const out = createWriteStream(`${path}.partial`);
  for (let offset = 0, i = 0; offset < bytes; offset += block.length, i++) {
    block.writeUInt32BE(i, 0);
    const chunk = offset + block.length <= bytes ? block : block.subarray(0, bytes - offset);
    if (!out.write(Buffer.from(chunk))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  await rename(`${path}.partial`, path);
}

function run(
  file: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ ms: number; stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(file, args, {
      cwd: REPO_ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - start, stdout, stderr, code });
    });
  });
}

/** `aws`: Debian's awscli (/usr/bin/aws) when installed, else the first on PATH; BENCH_AWS overrides. */
export function awsBinary(): string | undefined {
  if (process.env.BENCH_AWS) return process.env.BENCH_AWS;
  if (existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  return findOnPath('aws');
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function toolVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const aws = awsBinary();
  if (aws) out.aws = (await run(aws, ['--version'], process.env)).stdout.trim().split(' ')[0] ?? '';
  const rclone = findOnPath('rclone');
  if (rclone) out.rclone = (await run(rclone, ['version'], process.env)).stdout.split('\n')[0] ?? '';
  return out;
}

export class UploadBench {
  readonly #s3: S3Handle;
  readonly #client: S3Client;
  readonly #dir: string;
  #seq = 0;

  private constructor(s3: S3Handle, dir: string) {
    this.#s3 = s3;
    this.#dir = dir;
    this.#client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  }

  static async start(dir: string): Promise<UploadBench> {
    await mkdir(dir, { recursive: true });
    const bench = new UploadBench(await startS3({ bucket: 'bench' }), dir);
    await writeFile(
      join(dir, 'aws-config'),
      '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n',
    );
    await writeFile(join(dir, 'rclone.conf'), '');
    return bench;
  }

  /** s3rver's own endpoint (a proxy goes in front of it). */
  get endpoint(): string {
    return this.#s3.endpoint;
  }

  async stop(): Promise<void> {
    this.#client.destroy();
    await this.#s3.stop();
  }

  /** One upload of `file` by `tool`; the object is checked (HEAD size) and deleted afterwards. */
  async upload(
    tool: UploadTool,
    file: string,
    bytes: number,
    given: { partMiB?: number; queueSize?: number; bodyHwmMiB?: number; endpoint?: string } = {},
  ): Promise<UploadSample> {
    const endpoint = given.endpoint ?? this.#s3.endpoint;
    // The hash-overhead baseline is the project's pipeline without the hash: same part size, queue and buffer.
    const opts =
      tool === 'nohash'
        ? { partMiB: PART_SIZE / MIB, queueSize: QUEUE_SIZE, bodyHwmMiB: 1, ...given }
        : given;
    const key = `bench/${tool}-${++this.#seq}.bin`;
    const timeFile = join(this.#dir, 'time.out');
    let result: Awaited<ReturnType<typeof run>>;
    let inProcessMs: number | undefined;
    let peakRssMiB: number;
    const label =
      tool === 'lib'
        ? `lib-storage + sha256, ${opts.partMiB} MiB × ${opts.queueSize}${opts.bodyHwmMiB ? `, ${opts.bodyHwmMiB} MiB body buffer` : ''}`
        : {
            project: 'project uploader (uploadFile)',
            nohash: `lib-storage, no hash (${PART_SIZE / MIB} MiB × ${QUEUE_SIZE}, 1 MiB body buffer)`,
            aws: 'aws s3 cp',
            rclone: 'rclone copyto',
          }[tool];
    if (tool === 'project' || tool === 'nohash' || tool === 'lib') {
      const args = {
        mode: tool === 'project' ? 'project' : 'lib',
        file,
        key,
        hash: tool !== 'nohash',
        partSize: (opts.partMiB ?? 16) * MIB,
        queueSize: opts.queueSize ?? 4,
        ...(opts.bodyHwmMiB ? { bodyHighWaterMark: opts.bodyHwmMiB * MIB } : {}),
        endpoint,
        bucket: this.#s3.bucket,
      };
      result = await run(
        process.execPath,
        ['--import', 'tsx', new URL('./upload-child.ts', import.meta.url).pathname, JSON.stringify(args)],
        process.env,
      );
      const line = result.stdout.trim().split('\n').at(-1) ?? '';
      if (result.code !== 0 || !line.startsWith('{'))
        throw new Error(`${label} failed (${result.code}): ${result.stderr.slice(-800)}`);
      const report = JSON.parse(line) as { ms: number; maxRssMiB: number; vmHwmMiB?: number };
      inProcessMs = report.ms;
      peakRssMiB = Math.max(report.maxRssMiB, report.vmHwmMiB ?? 0);
    } else {
      const env: Record<string, string | undefined> = { ...process.env };
      let argv: string[];
      if (tool === 'aws') {
        const aws = awsBinary();
        if (!aws) throw new Error('aws-cli is not installed (apt-get install awscli)');
        Object.assign(env, {
          AWS_ACCESS_KEY_ID: this.#s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: this.#s3.secretAccessKey,
          AWS_DEFAULT_REGION: this.#s3.region,
          AWS_CONFIG_FILE: join(this.#dir, 'aws-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(this.#dir, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
          AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
        });
        argv = [
          aws,
          's3',
          'cp',
          file,
          `s3://${this.#s3.bucket}/${key}`,
          '--endpoint-url',
          endpoint,
          '--only-show-errors',
        ];
      } else {
        const rclone = findOnPath('rclone');
        if (!rclone) throw new Error('rclone is not installed (apt-get install rclone)');
        // rclone refuses to start when AWS_CA_BUNDLE is set.
        delete env.AWS_CA_BUNDLE;
        Object.assign(env, {
          RCLONE_CONFIG_BENCH_TYPE: 's3',
          RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
          RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
          RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: this.#s3.accessKeyId,
          RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: this.#s3.secretAccessKey,
          RCLONE_CONFIG_BENCH_REGION: this.#s3.region,
          RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
        });
        argv = [
          rclone,
          '--config',
          join(this.#dir, 'rclone.conf'),
          '--s3-no-check-bucket',
          'copyto',
          file,
          `bench:${this.#s3.bucket}/${key}`,
        ];
      }
      result = await run('/usr/bin/time', ['-f', '%M', '-o', timeFile, ...argv], env);
      if (result.code !== 0)
        throw new Error(`${label} failed (${result.code}): ${result.stderr.slice(-800)}`);
      peakRssMiB = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)) / 1024;
    }
    const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#s3.bucket, Key: key }));
    if (head.ContentLength !== bytes)
      throw new Error(`${label} stored ${head.ContentLength} bytes instead of ${bytes}`);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#s3.bucket, Key: key }));
    await rm(join(this.#s3.dir, this.#s3.bucket, '._S3rver_uploads'), { recursive: true, force: true });
    const sample: UploadSample = {
      tool,
      label,
      bytes,
      wallMs: result.ms,
      mibPerSec: bytes / MIB / (result.ms / 1000),
      peakRssMiB,
      ...(inProcessMs !== undefined ? { inProcessMs } : {}),
      ...(tool === 'lib' || tool === 'nohash' || tool === 'project'
        ? {
            partMiB: opts.partMiB ?? 16,
            queueSize: opts.queueSize ?? 4,
            ...(opts.bodyHwmMiB ? { bodyHwmMiB: opts.bodyHwmMiB } : {}),
          }
        : {}),
    };
    return sample;
  }
}

export function describeSample(s: UploadSample): string {
  return `${s.label} ${sizeLabel(s.bytes)}: ${s.mibPerSec.toFixed(1)} MiB/s (${(s.wallMs / 1000).toFixed(1)} s${
    s.inProcessMs ? `, ${(s.inProcessMs / 1000).toFixed(1)} s in process` : ''
  }), peak RSS ${s.peakRssMiB.toFixed(0)} MiB`;
}

export function medianOf(samples: UploadSample[], pick: (s: UploadSample) => number): number {
  return median(samples.map(pick));
}
