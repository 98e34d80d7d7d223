import fc from 'fast-check';
import { AppError, ERROR_CODES } from '../../../src/domain/errors.ts';
import { findUnsafeChar } from '../../../src/domain/text-rules.ts';

/**
 * What each property file counts and prints at the end (docs/reliability.md quotes these lines). Every counter but
 * `cases`, `accepted` and `refused` must stay 0.
 */
export interface Figures {
  name: string;
  cases: number;
  accepted: number;
  refused: number;
  /** A throw that is not an AppError with a clear message, or a result that breaks the entry point's contract. */
  crashes: number;
  /** podman argv elements that are not one of our flags, a validated value or a label. */
  unvalidatedPodmanArgs: number;
  /** Accepted inputs that bootc-image-builder (or the installer it generates) would refuse. */
  bibWouldReject: number;
  /** Generated config.toml that did not parse back to the same values. */
  tomlMismatches: number;
  /** Examples of each problem, for the failure message. */
  examples: string[];
}

export const NUM_RUNS = 1000;

export function createFigures(name: string): Figures {
  return {
    name,
    cases: 0,
    accepted: 0,
    refused: 0,
    crashes: 0,
    unvalidatedPodmanArgs: 0,
    bibWouldReject: 0,
    tomlMismatches: 0,
    examples: [],
  };
}

type Problem = 'crashes' | 'unvalidatedPodmanArgs' | 'bibWouldReject' | 'tomlMismatches';

/** Counts a problem and keeps the first few examples (inputs shown as JSON, so control characters stay visible). */
export function record(f: Figures, problem: Problem, detail: string, input: unknown): void {
  f[problem] += 1;
  if (f.examples.length < 5)
    f.examples.push(`${problem}: ${detail}; input ${JSON.stringify(input)?.slice(0, 400)}`);
}

export function problemCount(f: Figures): number {
  return f.crashes + f.unvalidatedPodmanArgs + f.bibWouldReject + f.tomlMismatches;
}

/** Runs one generated case: counts it, and passes when it added no problem (so fast-check shrinks the right one). */
export function oneCase(f: Figures, run: () => void): boolean {
  const before = problemCount(f);
  f.cases += 1;
  run();
  return problemCount(f) === before;
}

export async function oneCaseAsync(f: Figures, run: () => Promise<void>): Promise<boolean> {
  const before = problemCount(f);
  f.cases += 1;
  await run();
  return problemCount(f) === before;
}

function failure(f: Figures, report: string): Error {
  return new Error(`${f.examples.join('\n')}\n${report}`);
}

/**
 * Least share of generated inputs that must get through every rule. A property whose inputs are nearly all refused
 * says nothing about what happens to accepted requests (the part the oracle checks), so it fails instead.
 */
export const MIN_ACCEPTED_SHARE = 0.05;

function acceptedShareProblem(f: Figures): string | undefined {
  if (f.accepted >= f.cases * MIN_ACCEPTED_SHARE) return undefined;
  return `only ${f.accepted} of ${f.cases} generated inputs were accepted (at least ${MIN_ACCEPTED_SHARE * 100}% must be, or the checks after acceptance test nothing); make the good generators follow the rules`;
}

/** fc.check with NUM_RUNS cases; a failure shows the first recorded problems and fast-check's counterexample. */
export function assertProperty<Ts>(f: Figures, property: fc.IRawProperty<Ts, false>): void {
  const details = fc.check(property, { numRuns: NUM_RUNS });
  if (details.failed) throw failure(f, fc.defaultReportMessage(details) ?? 'property failed');
  const share = acceptedShareProblem(f);
  if (share) throw new Error(share);
}

export async function assertAsyncProperty<Ts>(
  f: Figures,
  property: fc.IRawProperty<Ts, true>,
): Promise<void> {
  const details = await fc.check(property, { numRuns: NUM_RUNS });
  if (details.failed) throw failure(f, (await fc.asyncDefaultReportMessage(details)) ?? 'property failed');
  const share = acceptedShareProblem(f);
  if (share) throw new Error(share);
}

export function printFigures(f: Figures): void {
  console.log(
    `property ${f.name}: ${f.cases} cases tried (${f.accepted} accepted, ${f.refused} refused with a clear message), ` +
      `${f.crashes} crashes, ${f.unvalidatedPodmanArgs} podman invocations with an unvalidated argument, ` +
      `${f.bibWouldReject} accepted inputs bootc-image-builder would reject, ${f.tomlMismatches} config.toml mismatches`,
  );
}

/** Longest error text we accept: the CLI's usage text plus a line; a 100 KB input must never be echoed whole. */
const MAX_MESSAGE = 2_500;

/** Why an error text is not a clear message for a person, or undefined when it is. */
export function unclearMessage(message: string, opts: { multiLine?: boolean } = {}): string | undefined {
  if (message.trim() === '') return 'empty message';
  if (message.length > MAX_MESSAGE) return `message of ${message.length} characters`;
  const bad = findUnsafeChar(message, { newline: opts.multiLine === true });
  if (bad) return `raw control character U+${bad.codePoint.toString(16)} in the message`;
  if (/\bundefined\b|\[object Object\]|\bNaN\b|^Error:/.test(message)) return 'internal text in the message';
  return undefined;
}

export type Outcome<T> =
  | { kind: 'accepted'; value: T }
  | { kind: 'refused'; error: AppError }
  | { kind: 'crash'; why: string };

interface OutcomeOptions {
  /** The error must name the field it is about (request validation, modal, config.toml). */
  requireField?: boolean;
  /** The message may hold line breaks (the CLI's usage text). */
  multiLine?: boolean;
}

/** An AppError from the closed set with a clear message counts as a refusal; anything else thrown is a crash. */
function classifyError(error: unknown, opts: OutcomeOptions): Outcome<never> {
  if (!(error instanceof AppError)) return { kind: 'crash', why: `threw ${String(error)}` };
  if (!Object.hasOwn(ERROR_CODES, error.code)) return { kind: 'crash', why: `unknown code ${error.code}` };
  const unclear = unclearMessage(error.message, opts);
  if (unclear) return { kind: 'crash', why: `${unclear}: ${JSON.stringify(error.message.slice(0, 300))}` };
  if (opts.requireField && !error.field) return { kind: 'crash', why: `no field on "${error.message}"` };
  return { kind: 'refused', error };
}

/** Runs one synchronous entry point: a value, a refusal, or a crash. */
export function outcomeOf<T>(run: () => T, opts: OutcomeOptions = {}): Outcome<T> {
  try {
    return { kind: 'accepted', value: run() };
  } catch (error) {
    return classifyError(error, opts);
  }
}

/** outcomeOf for async entry points (toBuildRequestInput reads files). */
export async function outcomeOfAsync<T>(
  run: () => Promise<T>,
  opts: OutcomeOptions = {},
): Promise<Outcome<T>> {
  try {
    return { kind: 'accepted', value: await run() };
  } catch (error) {
    return classifyError(error, opts);
  }
}
