import { pino } from 'pino';
import { printFailure, runBuildCommand } from '../cli/build-command.ts';
import { runCancelCommand } from '../cli/cancel-command.ts';
import { createOperatorAudit } from '../cli/cli-audit.ts';
import { withClientRedis } from '../cli/client-redis.ts';
import { completionScript } from '../cli/completion.ts';
import { runDoctorCommand } from '../cli/doctor-command.ts';
import { parseGlobalArgs } from '../cli/global-args.ts';
import { isOpsCommand, runOpsCommand } from '../cli/ops-commands.ts';
import { COMMAND_USAGES, USAGE } from '../cli/usage.ts';
import { runVerifyCommand } from '../cli/verify-command.ts';
import { loadConfig, secretValues } from '../config/load-config.ts';
import { asAppError, type ErrorCode } from '../domain/errors.ts';
import { createLifecycle } from '../lifecycle/process-lifecycle.ts';
import { sharedLocalStore } from '../local/open-local-store.ts';
import { createLogger } from '../logger.ts';
import { packageVersion } from '../package-version.ts';
import { BuildQueues } from '../queue/build-producer.ts';
import { createRedis, whenRedisReady } from '../queue/connection.ts';
import { createS3Store } from '../storage/s3-store.ts';

// Composition root of the `bootc-iso` command. Exit codes: 0 success, 1 the build failed (or nothing to cancel,
// or Redis unreachable), 2 bad usage or configuration. Results go to stdout; progress and warnings to stderr.

/** Errors in what the person typed or configured exit 2; everything else (Redis down, ...) exits 1. */
const USAGE_ERRORS = new Set<ErrorCode>(['INVALID_REQUEST', 'REGISTRY_NOT_ALLOWED', 'CONFIG_INVALID']);
const HELP = new Set(['--help', '-h']);

async function main(argv: string[]): Promise<number> {
  const global = parseGlobalArgs(argv);
  const [command, ...rest] = global.rest;
  if (global.version) {
    process.stdout.write(`bootc-iso ${packageVersion()}\n`);
    return 0;
  }
  // No arguments at all is a request for help, not a mistake.
  if (command === undefined || command === 'help' || HELP.has(command)) {
    const topic = command === 'help' ? rest[0] : undefined;
    process.stdout.write(`${(topic && COMMAND_USAGES[topic]) || USAGE}\n`);
    return 0;
  }
  if (!Object.hasOwn(COMMAND_USAGES, command)) {
    process.stderr.write(`bootc-iso: unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.some((arg) => HELP.has(arg))) {
    process.stdout.write(`${COMMAND_USAGES[command]}\n`);
    return 0;
  }
  if (command === 'completion') {
    process.stdout.write(completionScript(rest[0]));
    return 0;
  }
  const loadOptions = global.configFile === undefined ? {} : { configFile: global.configFile };
  if (command === 'verify') {
    // No Redis: verifying needs only the key and the files (--dir with --key needs no configuration at all).
    let loaded: ReturnType<typeof loadConfig> | undefined;
    const config = () => {
      loaded ??= loadConfig(undefined, { role: 'cli', ...loadOptions });
      return loaded;
    };
    return runVerifyCommand(rest, {
      out: process.stdout,
      err: process.stderr,
      publicKeyFile: async () => config().signing?.publicKeyFile,
      store: async () => {
        const c = config();
        return c.s3 ? createS3Store(c.s3) : await sharedLocalStore(c);
      },
    });
  }
  if (command === 'doctor') {
    // About this host only: the worker's config (its registry credentials), no Redis, no S3.
    const config = loadConfig(undefined, { role: 'worker', ...loadOptions });
    const logger = createLogger({
      level: 'warn',
      name: 'doctor',
      secrets: secretValues(config),
      destination: pino.destination(2),
    });
    return runDoctorCommand(rest, { config, logger, out: process.stdout });
  }
  const config = await withClientRedis(loadConfig(undefined, { role: 'cli', ...loadOptions }));
  const connection = createRedis(config.redis, 'producer');
  const queues = new BuildQueues(connection);
  // Audit entries go to their files; stderr only hears of a failed write, so command output stays as it was.
  const logger = createLogger({
    level: 'warn',
    name: 'cli',
    secrets: secretValues(config),
    destination: pino.destination(2),
  });
  // The build's chain lives in Redis; builds/<id>/audit.jsonl is rewritten from it by the bot's next entry for
  // the build. No S3 client here: building one costs every command a start-up delay and a warning on stderr.
  const audit = createOperatorAudit(config, connection, logger);
  try {
    if (command === 'cancel') {
      await whenRedisReady(connection, config.redis);
      return await runCancelCommand(rest, { queues, publisher: connection, out: process.stdout, audit });
    }
    if (isOpsCommand(command)) {
      await whenRedisReady(connection, config.redis);
      return await runOpsCommand(command, rest, {
        config,
        queues,
        out: process.stdout,
        err: process.stderr,
        audit,
      });
    }
    const outcome = await runBuildCommand(rest, {
      config,
      queues,
      out: process.stdout,
      err: process.stderr,
      audit,
      startLocalWorker: async () => {
        // --local: this process becomes a build host for the one build (needs podman, S3 and credentials).
        const { startBuildWorker } = await import('../../workers/build-worker.ts');
        const workerConfig = {
          ...loadConfig(undefined, { role: 'worker', ...loadOptions }),
          redisUrl: config.redisUrl,
          redis: config.redis,
        };
        const logger = createLogger({
          level: workerConfig.logLevel,
          name: 'worker',
          secrets: secretValues(workerConfig),
          // stdout stays for the command's own output (--json).
          destination: pino.destination(2),
        });
        // Interrupted, the local worker hands its build back to the queue before the command exits (130: by signal).
        const lifecycle = createLifecycle(logger, { exit: (code) => process.exit(code === 0 ? 130 : code) });
        const local = await startBuildWorker(workerConfig, logger, { checkHost: false });
        lifecycle.add({ name: 'local worker', stop: local.stop });
        return () => lifecycle.stop('build finished').then(() => undefined);
      },
    });
    if (outcome && !outcome.ok) {
      printFailure(process.stderr, outcome);
      return 1;
    }
    return 0;
  } finally {
    await queues.close();
    connection.disconnect();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const e = asAppError(error);
  process.stderr.write(
    `bootc-iso: ${e.code === 'INTERNAL' ? `unexpected error: ${String(error)}` : e.message}\n`,
  );
  process.exitCode = USAGE_ERRORS.has(e.code) ? 2 : 1;
}
