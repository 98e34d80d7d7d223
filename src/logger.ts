import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import { REDACTED, replaceNeedles, secretNeedles } from './config/redact-secrets.ts';

export type Logger = PinoLogger;

export interface CreateLoggerOptions {
  /** A pino level: fatal, error, warn, info, debug, trace or silent. */
  level: string;
  /** The `name` field of every line ("bot", "worker", "cli"). */
  name: string;
  /** Strings (passwords, keys) to replace with [redacted] wherever they appear in a log line. */
  secrets?: string[];
  /** Where JSON lines go; stdout by default. */
  destination?: DestinationStream;
}

/** Field names whose values never reach a log line, whatever they hold. */
export const REDACTED_KEYS = [
  'password',
  'passwordHash',
  'secret',
  'secretAccessKey',
  'sessionToken',
  'token',
  'accessToken',
  'refreshToken',
  'botToken',
  'appToken',
  'signingSecret',
  'clientSecret',
  'apiKey',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
];

const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

/**
 * A pino logger writing JSON lines. Known secret fields are censored by path, and every occurrence of the given
 * secret strings is replaced in the finished line, so messages, nested fields, error messages and stacks are all
 * covered, whatever shape they were logged in.
 */
export function createLogger(opts: CreateLoggerOptions): Logger {
  const destination = opts.destination ?? pino.destination({ dest: 1, sync: true });
  const needles = secretNeedles(opts.secrets ?? []);
  return pino(
    {
      level: opts.level,
      name: opts.name,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    needles.length === 0 ? destination : redactingStream(destination, needles),
  );
}

/** Wraps a destination so each serialized line is scrubbed before it is written. */
function redactingStream(destination: DestinationStream, needles: string[]): DestinationStream {
  const target = destination as DestinationStream & { flush?: (cb?: (err?: Error) => void) => void };
  return {
    write: (line: string) => destination.write(replaceNeedles(line, needles)),
    // pino's logger.flush() delegates here; keep it working for sonic-boom destinations.
    flush: (cb?: (err?: Error) => void) => (target.flush ? target.flush(cb) : cb?.()),
  } as DestinationStream;
}
