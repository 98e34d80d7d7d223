import { loadConfig, secretValues } from '../src/config/load-config.ts';
import { asAppError } from '../src/domain/errors.ts';
import { hostArch } from '../src/domain/host-arch.ts';
import { createLifecycle } from '../src/lifecycle/process-lifecycle.ts';
import { sharedLocalStore } from '../src/local/open-local-store.ts';
import { createLogger } from '../src/logger.ts';
import { startBuildWorker } from './build-worker.ts';
import { startWorkerOps } from './worker-ops.ts';

// Entry point of `npm run worker`: start, stop cleanly on SIGTERM/SIGINT, and never print a stack trace.
try {
  const config = loadConfig(undefined, { role: 'worker' });
  const logger = createLogger({ level: config.logLevel, name: 'worker', secrets: secretValues(config) });
  const lifecycle = createLifecycle(logger);
  // /metrics, /healthz, /readyz on METRICS_HOST:METRICS_PORT (default 127.0.0.1:9464; off to disable).
  const ops = await startWorkerOps(config, hostArch(), logger);
  if (ops) lifecycle.add({ name: 'ops server', stop: () => ops.close() });
  // No S3 but ARTIFACT_DIR: ISOs go to a directory shared with the bot on this host.
  const local = await sharedLocalStore(config);
  const { worker, stop, hostChecks } = await startBuildWorker(config, logger, {
    ...(ops ? { metrics: ops.metrics } : {}),
    ...(local ? { store: local } : {}),
  });
  lifecycle.add({ name: 'worker', stop });
  ops?.attach(worker);
  void hostChecks?.then((summary) => summary && ops?.reportHostChecks(summary));
} catch (error) {
  const e = asAppError(error);
  process.stderr.write(`bootc-iso worker: ${e.code === 'INTERNAL' ? String(error) : e.message}\n`);
  process.exit(1);
}
