import { pino } from 'pino';
import { printFailure, runBuildCommand } from '../cli/build-command.ts';
import { runCancelCommand } from '../cli/cancel-command.ts';
import { isOpsCommand, OPS_USAGES, runOpsCommand } from '../cli/ops-commands.ts';
import { BUILD_USAGE } from '../cli/parse-build-args.ts';
import { VERIFY_USAGE } from '../cli/verify-args.ts';
import { runVerifyCommand } from '../cli/verify-command.ts';
import { loadConfig, secretValues } from '../config/load-config.ts';
import { asAppError, type ErrorCode } from '../domain/errors.ts';
import { sharedLocalStore } from '../local/open-local-store.ts';
import { createLogger } from '../logger.ts';
import { BuildQueues } from '../queue/build-producer.ts';
import { createRedis, whenRedisReady } from '../queue/connection.ts';
import { createS3Store } from '../storage/s3-store.ts';

const once = <T>(make: () => T): (() => T) => {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
};

// Composition root of the `bootc-iso` command. Exit codes: 0 success, 1 the build failed (or nothing to cancel),
// 2 bad usage or configuration.
const USAGE = `usage: bootc-iso <command> [options]

commands:
  build     queue an ISO build and follow it (bootc-iso build --help)
  cancel    cancel a queued or running build: bootc-iso cancel <build-id>
  jobs      list builds: bootc-iso jobs [--state STATE ...] [--arch ARCH] [--limit N] [--json]
  job       one build in detail, or its log: bootc-iso job <build-id> [--logs [--follow]] [--json]
  retry     queue a failed build again and follow it: bootc-iso retry <build-id> [--detach] [--json]
  workers   the live build workers: bootc-iso workers [--json]
  cache     rebuild the identical-build index from the stored manifests: bootc-iso cache reindex [--json]
  verify    check a build's signatures and files: bootc-iso verify <build-id> [--file PATH ...] | --dir DIR
  help      show this text (bootc-iso <command> --help for a command's options)`;

const COMMANDS = [
  'build',
  'cancel',
  'verify',
  ...(Object.keys(OPS_USAGES) as (keyof typeof OPS_USAGES)[]),
] as const;
/** Errors in what the person typed or configured exit 2; everything else (Redis down, ...) exits 1. */
const USAGE_ERRORS = new Set<ErrorCode>(['INVALID_REQUEST', 'REGISTRY_NOT_ALLOWED', 'CONFIG_INVALID']);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (!COMMANDS.includes(command as (typeof COMMANDS)[number])) {
    process.stderr.write(`bootc-iso: unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  if (command === 'build' && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`${BUILD_USAGE}\n`);
    return 0;
  }
  if (isOpsCommand(command) && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`${OPS_USAGES[command]}\n`);
    return 0;
  }
  if (command === 'verify') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${VERIFY_USAGE}\n`);
      return 0;
    }
    // No Redis: verifying needs only the key and the files (--dir works with no configuration at all).
    const config = once(() => loadConfig(undefined, { role: 'cli' }));
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
  const config = loadConfig(undefined, { role: 'cli' });
  const connection = createRedis(config.redis, 'producer');
  const queues = new BuildQueues(connection);
  try {
    if (command === 'cancel') {
      await whenRedisReady(connection, config.redis);
      return await runCancelCommand(rest, { queues, publisher: connection, out: process.stdout });
    }
    if (isOpsCommand(command)) {
      await whenRedisReady(connection, config.redis);
      return await runOpsCommand(command, rest, { config, queues, out: process.stdout, err: process.stderr });
    }
    const outcome = await runBuildCommand(rest, {
      config,
      queues,
      out: process.stdout,
      err: process.stderr,
      startLocalWorker: async () => {
        // --local: this process becomes a build host for the one build (needs podman, S3 and credentials).
        const { startBuildWorker } = await import('../../workers/build-worker.ts');
        const workerConfig = loadConfig(undefined, { role: 'worker' });
        const logger = createLogger({
          level: workerConfig.logLevel,
          name: 'worker',
          secrets: secretValues(workerConfig),
          // stdout stays for the command's own output (--json).
          destination: pino.destination(2),
        });
        const local = await startBuildWorker(workerConfig, logger);
        return () => local.stop('build finished');
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
