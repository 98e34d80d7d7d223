import { loadConfig, secretValues } from '../src/config/load-config.ts';
import { asAppError } from '../src/domain/errors.ts';
import { createLogger } from '../src/logger.ts';
import { startBuildWorker } from './build-worker.ts';

// Entry point of `npm run worker`: start, stop cleanly on SIGTERM/SIGINT, and never print a stack trace.
try {
  const config = loadConfig(undefined, { role: 'worker' });
  const logger = createLogger({ level: config.logLevel, name: 'worker', secrets: secretValues(config) });
  const { stop } = await startBuildWorker(config, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ error: String(error) }, 'unclean stop');
          process.exit(1);
        },
      );
    });
  }
  process.on('unhandledRejection', (reason) =>
    logger.error({ error: String(reason) }, 'unhandled rejection'),
  );
} catch (error) {
  const e = asAppError(error);
  process.stderr.write(`bootc-iso worker: ${e.code === 'INTERNAL' ? String(error) : e.message}\n`);
  process.exit(1);
}
