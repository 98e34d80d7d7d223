import { loadConfig, secretValues } from '../config/load-config.ts';
import { asAppError } from '../domain/errors.ts';
import { localDownloadsRoute } from '../http/local-downloads.ts';
import { sharedLocalStore } from '../local/open-local-store.ts';
import { createLogger } from '../logger.ts';
import { signingKeyRoutes } from '../signing/public-key-route.ts';
import { startBot } from '../slack/start-bot.ts';

// Entry point of `npm run bot`: start, stop cleanly on SIGTERM/SIGINT, and never print a stack trace.
try {
  const config = loadConfig(undefined, { role: 'bot' });
  const logger = createLogger({ level: config.logLevel, name: 'bot', secrets: secretValues(config) });
  // Bolt rejects in the background when Slack is unreachable at start (auth.test), and in Socket Mode when a custom
  // route's path has a malformed %-escape; log those instead of dying.
  process.on('unhandledRejection', (reason) =>
    logger.error({ error: String(reason) }, 'unhandled rejection'),
  );
  // No S3 but ARTIFACT_DIR: ISOs are in a directory shared with the worker, served here on PORT (/downloads).
  const local = await sharedLocalStore(config);
  const keyRoutes = await signingKeyRoutes(config.signing);
  const stop = await startBot(
    config,
    logger,
    local
      ? { store: local, routes: [localDownloadsRoute(local, logger), ...keyRoutes] }
      : { routes: keyRoutes },
  );
  // `on`, not `once`: execa's signal-exit re-raises a signal that has no other listener left, which would kill
  // the process in the middle of a graceful stop. A repeated signal just finds the stop under way.
  let stopping: Promise<void> | undefined;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping ??= stop();
      stopping.then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
} catch (error) {
  const e = asAppError(error);
  process.stderr.write(`bootc-iso bot: ${e.code === 'INTERNAL' ? String(error) : e.message}\n`);
  process.exit(1);
}
