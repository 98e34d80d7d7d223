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

/** Registries on ports, and images by digests, whose digits look like HTTP statuses. */
const TRAPS = ['401', '404', '429', '502', '503', '504'];
const hostWith = (digits: string) => `reg-${digits}.example:${digits}0`;
const digestWith = (digits: string) => `sha256:${digits.repeat(21)}0`;

describe('registry errors are read from what the registry said, not from names', () => {
  it.each(TRAPS)(
    'a refused connection to a registry on a port holding %s is an outage, retried',
    (digits) => {
      const reg = hostWith(digits);
      const ref = `${reg}/team-${digits}/app@${digestWith(digits)}`;
      const e = classifyRegistryError(
        `Trying to pull ${ref}...\nError: initializing source docker://${ref}: pinging container registry ${reg}: Get "https://${reg}/v2/": dial tcp 10.4.29.1:${digits}0: connect: connection refused`,
        { registry: reg, ref },
      );
      expect(e.code).toBe('REGISTRY_UNAVAILABLE');
      expect(e.retryable).toBe(true);
      expect(e.retryAfterMs).toBeUndefined();
    },
  );

  it.each(TRAPS)('a missing manifest of an image whose path and digest hold %s is not found', (digits) => {
    const reg = hostWith(digits);
    const ref = `${reg}/unauthorized-${digits}/denied:${digits}`;
    const e = classifyRegistryError(
      `Error: initializing source docker://${ref}: reading manifest ${digits} in ${reg}/unauthorized-${digits}/denied: manifest unknown: manifest unknown`,
      { registry: reg, ref },
    );
    expect(e.code).toBe('IMAGE_NOT_FOUND');
    expect(e.retryable).toBe(false);
  });

  it.each(TRAPS)(
    'a login refused by a registry on a port holding %s is an authentication failure',
    (digits) => {
      const reg = hostWith(digits);
      const e = classifyRegistryError(
        `Error: logging into "${reg}": invalid username/password: unauthorized: incorrect username or password`,
        { registry: reg },
      );
      expect(e.code).toBe('AUTH_FAILED');
    },
  );

  it('reads the HTTP status of the registry answer itself', () => {
    const reg = hostWith('401');
    const ref = `${reg}/a/b:404`;
    const cases: [string, string, boolean][] = [
      ['502 Bad Gateway', 'REGISTRY_UNAVAILABLE', true],
      ['503 Service Unavailable', 'REGISTRY_UNAVAILABLE', true],
      ['504 Gateway Timeout', 'REGISTRY_UNAVAILABLE', true],
      ['401 Unauthorized', 'AUTH_FAILED', false],
      ['404 Not Found', 'IMAGE_NOT_FOUND', false],
    ];
    for (const [status, code, retryable] of cases) {
      const e = classifyRegistryError(
        `Error: initializing source docker://${ref}: reading manifest 404 in ${reg}/a/b: received unexpected HTTP status: ${status}`,
        { registry: reg, ref },
      );
      expect([status, e.code, e.retryable]).toEqual([status, code, retryable]);
    }
  });

  it("treats Docker Hub's denial for a missing image as not found (not retried), naming the credentials as the other cause", () => {
    const ref = 'docker.io/nobody-429/missing:502';
    const e = classifyRegistryError(
      'Error: initializing source docker://nobody-429/missing:502: reading manifest 502 in docker.io/nobody-429/missing: requested access to the resource is denied',
      { registry: 'docker.io', ref },
    );
    expect(e.code).toBe('IMAGE_NOT_FOUND');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('credentials for docker.io');
  });

  it('a denial at login is about the credentials', () => {
    const e = classifyRegistryError(
      'Error: logging into "docker.io": denied: requested access to the resource is denied',
      {
        registry: 'docker.io',
      },
    );
    expect(e.code).toBe('AUTH_FAILED');
  });

  it('a rate limit is retried, after the Retry-After the registry sent when podman shows it', () => {
    const reg = hostWith('503');
    const ref = `${reg}/a/b:1`;
    const limited = classifyRegistryError(
      `Error: initializing source docker://${ref}: reading manifest 1 in ${reg}/a/b: received unexpected HTTP status: 429 Too Many Requests (Retry-After: 120)`,
      { registry: reg, ref },
    );
    expect(limited.code).toBe('REGISTRY_UNAVAILABLE');
    expect(limited.retryable).toBe(true);
    expect(limited.retryAfterMs).toBe(120_000);
    const hub = classifyRegistryError(
      'Error: reading manifest 1 in docker.io/a/b: toomanyrequests: You have reached your pull rate limit.',
      { registry: 'docker.io', ref: 'docker.io/a/b:1' },
    );
    expect(hub.code).toBe('REGISTRY_UNAVAILABLE');
    expect(hub.retryAfterMs).toBeUndefined();
  });

  it('a dropped connection (EOF) and a timeout are outages', () => {
    for (const tail of ['EOF', 'dial tcp 10.0.0.1:443: i/o timeout']) {
      const e = classifyRegistryError(
        `Error: pinging container registry reg.example:4010: Get "https://reg.example:4010/v2/": ${tail}`,
        {
          registry: 'reg.example:4010',
        },
      );
      expect(e.code).toBe('REGISTRY_UNAVAILABLE');
    }
  });
});
