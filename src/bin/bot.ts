import { loadConfig, secretValues } from '../config/load-config.ts';
import { asAppError } from '../domain/errors.ts';
import { localDownloadsRoute } from '../http/local-downloads.ts';
import { createLifecycle } from '../lifecycle/process-lifecycle.ts';
import { sharedLocalStore } from '../local/open-local-store.ts';
import { createLogger } from '../logger.ts';
import { signingKeyRoutes } from '../signing/public-key-route.ts';
import { startBot } from '../slack/start-bot.ts';

// Entry point of `npm run bot`: start, stop cleanly on SIGTERM/SIGINT, and never print a stack trace.
try {
  const config = loadConfig(undefined, { role: 'bot' });
  const logger = createLogger({ level: config.logLevel, name: 'bot', secrets: secretValues(config) });
  // Signals, ordered stop and unhandled rejections (Bolt rejects in the background when Slack is unreachable at
  // start, and in Socket Mode when a custom route's path has a malformed %-escape): logged, not fatal.
  const lifecycle = createLifecycle(logger);
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
  lifecycle.add({ name: 'bot', stop: () => stop() });
} catch (error) {
  const e = asAppError(error);
  process.stderr.write(`bootc-iso bot: ${e.code === 'INTERNAL' ? String(error) : e.message}\n`);
  process.exit(1);
}
