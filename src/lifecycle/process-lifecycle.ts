import type { Logger } from '../logger.ts';

/** A running part of a process (Redis, worker, bot, ops server) and how to stop it. */
export interface Part {
  name: string;
  /** Told why (the signal, or what the process finished). */
  stop: (reason: string) => Promise<void>;
}

export interface SignalSource {
  on(event: string, listener: (reason: unknown) => void): unknown;
}

export interface LifecycleOptions {
  /** Stop taking longer than this exits with 1 (running builds need time to hand their jobs back). */
  deadlineMs?: number;
  /** Replaced in tests; the process's exit otherwise. */
  exit?: (code: number) => void;
  /** What to watch for signals and rejections: the process, or an emitter in tests. */
  signals?: SignalSource;
  /** Replaced in tests; Date.now otherwise. */
  now?: () => number;
}

/**
 * A signal this soon after the first is the same request delivered twice, not a second one: under `npm start` one
 * Ctrl-C reaches the process from the terminal (to the whole process group) and again forwarded by npm.
 */
export const REPEAT_SIGNAL_MS = 1000;

export interface Lifecycle {
  /** Registers a started part; parts stop newest first, so a part never outlives what it depends on. */
  add(part: Part): void;
  /** Stops every part once, in reverse start order; true when every part stopped cleanly. */
  stop(reason: string): Promise<boolean>;
}

/**
 * The one way every entry point handles signals and ordered shutdown: the first SIGTERM/SIGINT stops the parts
 * newest first and exits 0 when all stopped cleanly (1 otherwise, or past the deadline); a second signal (more than
 * a second later) exits at once. Handlers use `on`, not `once`: execa's signal-exit re-raises a signal that has no other listener left,
 * which would kill the process in the middle of a graceful stop. Unhandled rejections are logged, not fatal
 * (Bolt rejects in the background when Slack is unreachable).
 */
export function createLifecycle(logger: Logger, options: LifecycleOptions = {}): Lifecycle {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const watched = options.signals ?? process;
  const parts: Part[] = [];
  let stopping: Promise<boolean> | undefined;
  let signalledAt: number | undefined;
  const now = options.now ?? Date.now;

  const stop = (reason: string): Promise<boolean> => {
    stopping ??= (async () => {
      let clean = true;
      for (const part of parts.splice(0).reverse()) {
        try {
          await part.stop(reason);
        } catch (error) {
          clean = false;
          logger.error({ part: part.name, reason, error: String(error) }, 'unclean stop');
        }
      }
      return clean;
    })();
    return stopping;
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    watched.on(signal, () => {
      if (signalledAt !== undefined && now() - signalledAt < REPEAT_SIGNAL_MS) return;
      if (stopping) {
        logger.warn({ signal }, 'second signal: stopping at once');
        exit(1);
        return;
      }
      signalledAt = now();
      logger.info({ signal }, 'stopping');
      if (options.deadlineMs !== undefined) {
        setTimeout(() => {
          logger.error({ afterMs: options.deadlineMs }, 'stop took too long; exiting');
          exit(1);
        }, options.deadlineMs).unref();
      }
      void stop(signal).then((clean) => exit(clean ? 0 : 1));
    });
  }
  watched.on('unhandledRejection', (reason: unknown) =>
    logger.error({ error: String(reason) }, 'unhandled rejection'),
  );
  return { add: (part) => void parts.push(part), stop };
}
