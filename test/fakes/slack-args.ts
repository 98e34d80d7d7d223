// Argument and answer helpers shared by the fake Slack Web API methods.
import type { FakeState } from './slack-state.ts';

export type Args = Record<string, unknown>;
export type Result = { ok: true } & Record<string, unknown>;
export type Failure = {
  ok: false;
  error: string;
  response_metadata?: { messages?: string[]; warnings?: string[] };
};
export type Handler = (state: FakeState, args: Args) => Result | Failure;

export function fail(error: string, messages?: string[]): Failure {
  return messages === undefined
    ? { ok: false, error }
    : { ok: false, error, response_metadata: { messages } };
}

export function str(args: Args, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
