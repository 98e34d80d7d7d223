import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools, startTestbed, TESTBED_TOOLS, type Testbed } from '../testbed/index.ts';
import { writeE2eConfig } from './e2e-env.ts';
import { type Child, collectLines, type LineCollector, startTsx } from './run-process.ts';

/** The testbed, a config written for it and one real worker process (workers/main.ts) that is ready to build. */
export interface E2eHost {
  tb: Testbed;
  dir: string;
  env: Record<string, string>;
  worker: Child;
  workerOut: LineCollector;
  /** Stops the worker, then the testbed, and removes the directory; safe to call on a host that half started. */
  stop(): Promise<void>;
}

export interface E2eHostOptions {
  /** The prefix of the test's temporary directory. */
  name: string;
  tools?: readonly string[];
  /** The registry's credentials (the testbed's defaults otherwise), which the config gives the worker. */
  registry?: { username: string; password: string };
  config?: Parameters<typeof writeE2eConfig>[3];
  /** Runs after the config is written and before the worker starts (environment changes, leftovers to find). */
  beforeWorker?: (dir: string, env: Record<string, string>) => Promise<void> | void;
}

export async function startE2eHost(o: E2eHostOptions): Promise<E2eHost> {
  requireTools([...TESTBED_TOOLS, ...(o.tools ?? [])]);
  const tb = await startTestbed(
    o.registry ? { registryUser: o.registry.username, registryPassword: o.registry.password } : {},
  );
  let dir: string | undefined;
  let worker: Child | undefined;
  const stop = async () => {
    worker?.kill('SIGTERM');
    await worker?.catch(() => undefined);
    await tb.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    dir = await mkdtemp(join(tmpdir(), `bootc-iso-${o.name}-`));
    const { env } = await writeE2eConfig(tb, dir, o.registry ?? tb.registry, o.config);
    await o.beforeWorker?.(dir, env);
    worker = startTsx('workers/main.ts', env);
    const workerOut = collectLines(worker);
    await workerOut.waitFor(/worker ready/, 60_000);
    return { tb, dir, env, worker, workerOut, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
