import { describe, expect, it } from 'vitest';
import { classifyRegistryError, podmanErrorLine } from '../../../workers/podman-errors.ts';

const registry = '127.0.0.1:5000';

describe('podman registry error classification', () => {
  it('treats a refused login as an authentication failure naming the registry', () => {
    const e = classifyRegistryError('Error: logging into "127.0.0.1:5000": invalid username/password', {
      registry,
    });
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain(`authentication failed for ${registry}`);
  });

  it('treats a missing manifest as image not found, not retried', () => {
    const e = classifyRegistryError(
      'Trying to pull 127.0.0.1:5000/a/b:2...\nError: initializing source docker://127.0.0.1:5000/a/b:2: reading manifest 2 in 127.0.0.1:5000/a/b: manifest unknown: manifest unknown',
      { registry, ref: '127.0.0.1:5000/a/b:2' },
    );
    expect(e.code).toBe('IMAGE_NOT_FOUND');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('127.0.0.1:5000/a/b:2');
  });

  it('treats a refused connection as a registry outage that is retried', () => {
    const e = classifyRegistryError(
      'Error: pinging container registry 127.0.0.1:5000: Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused',
      { registry },
    );
    expect(e.code).toBe('REGISTRY_UNAVAILABLE');
    expect(e.retryable).toBe(true);
  });

  it('tells the operator to mark a plain-HTTP registry insecure', () => {
    const e = classifyRegistryError(
      'Error: pinging container registry 127.0.0.1:5000: Get "https://127.0.0.1:5000/v2/": http: server gave HTTP response to HTTPS client',
      { registry },
    );
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('insecure: true');
  });

  it('keeps only the last Error line of noisy output', () => {
    expect(podmanErrorLine('Trying...\nGetting image source\nError: boom\n')).toBe('boom');
    expect(podmanErrorLine('just this')).toBe('just this');
  });
});
