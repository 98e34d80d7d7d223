import { loadConfig, secretValues } from '../config/load-config.ts';
import { asAppError } from '../domain/errors.ts';
import { createLogger } from '../logger.ts';
import { startBot } from '../slack/start-bot.ts';

// Entry point of `npm run bot`: start, stop cleanly on SIGTERM/SIGINT, and never print a stack trace.
try {
  const config = loadConfig(undefined, { role: 'bot' });
  const logger = createLogger({ level: config.logLevel, name: 'bot', secrets: secretValues(config) });
  const stop = await startBot(config, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop().then(
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
