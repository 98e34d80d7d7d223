import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_MS,
  MIN_RETRY_AFTER_MS,
  RetryLater,
  retryBackoff,
} from '../../../src/queue/retry-backoff.ts';

const job = { opts: { backoff: { delay: 30_000 } } };
const middle = () => 0.5;

describe('retry backoff', () => {
  it('doubles the base delay with every attempt made, within ±20 %', () => {
    expect(retryBackoff(1, undefined, new RetryLater('x'), job, middle)).toBe(30_000);
    expect(retryBackoff(2, undefined, new RetryLater('x'), job, middle)).toBe(60_000);
    expect(retryBackoff(3, undefined, new Error('x'), job, middle)).toBe(120_000);
    expect(retryBackoff(1, undefined, undefined, job, () => 0)).toBe(24_000);
    expect(retryBackoff(1, undefined, undefined, job, () => 1)).toBe(36_000);
  });

  it("waits what the registry's Retry-After asked for instead, within bounds", () => {
    expect(retryBackoff(1, undefined, new RetryLater('429', 7_000), job, middle)).toBe(7_000);
    expect(retryBackoff(3, undefined, new RetryLater('429', 7_000), job, middle)).toBe(7_000);
    expect(retryBackoff(1, undefined, new RetryLater('429', 0), job, middle)).toBe(MIN_RETRY_AFTER_MS);
    expect(retryBackoff(1, undefined, new RetryLater('429', 9e9), job, middle)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryBackoff(1, undefined, new RetryLater('429', Number.NaN), job, middle)).toBe(30_000);
  });
});
