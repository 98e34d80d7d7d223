import { z } from 'zod';

/** Numbers and booleans may arrive as strings after `${VAR}` substitution, so accept their string forms. */
export const fromNumericString = (v: unknown) =>
  typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
export const fromBooleanString = (v: unknown) => (v === 'true' ? true : v === 'false' ? false : v);

export const wholeNumber = (min: number, max: number) =>
  z.preprocess(fromNumericString, z.number().int().min(min).max(max));
