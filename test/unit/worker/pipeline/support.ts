import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { BuildRequest, type BuildRequestInput } from '../../../../src/domain/build-request.ts';
import type { IdenticalBuildClaims } from '../../../../src/queue/identical-build-claims.ts';
import { createLocalStore, type LocalStore } from '../../../../src/storage/local-store.ts';

export const silent = pino({ level: 'silent' });
export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
export const DIGEST_C = `sha256:${'c'.repeat(64)}`;

export function request(overrides: Partial<BuildRequestInput> = {}): BuildRequest {
  return BuildRequest.parse({
    source: 'registry.example.com/org/os:1',
    builder: { name: 'default', image: 'registry.example.com/org/bib:1' },
    type: 'iso',
    arch: 'x86_64',
    requester: { kind: 'cli', user: 'tester' },
    requestedAt: '2026-12-01T12:00:00Z',
    ...overrides,
  });
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A fresh directory removed after the test. */
export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'pipeline-step-'));
  dirs.push(d);
  return d;
}

/** The real local artifact store, in a fresh directory. */
export async function localStore(): Promise<LocalStore> {
  return createLocalStore({
    root: join(await tempDir(), 'store'),
    publicUrl: 'http://localhost:3000',
    signingKey: randomBytes(32),
  });
}

/** Identical-build claims kept in memory, with the semantics of the Redis ones (set-if-absent-or-ours). */
export function memoryClaims(): IdenticalBuildClaims & {
  held: Map<string, string>;
  waiting: Map<string, string>;
} {
  const held = new Map<string, string>();
  const waiting = new Map<string, string>();
  return {
    held,
    waiting,
    async claim(key, buildId) {
      const holder = held.get(key);
      if (holder && holder !== buildId) return holder;
      held.set(key, buildId);
      return undefined;
    },
    async renew(key, buildId) {
      return held.get(key) === buildId;
    },
    async release(key, buildId) {
      if (held.get(key) === buildId) held.delete(key);
    },
    async markWaiting(buildId, key) {
      waiting.set(buildId, key);
      const holder = held.get(key);
      return holder !== undefined && holder !== buildId;
    },
    async stillWaiting(buildId) {
      const key = waiting.get(buildId);
      const holder = key ? held.get(key) : undefined;
      return holder && holder !== buildId ? holder : undefined;
    },
    async clearWaiting(buildId) {
      waiting.delete(buildId);
    },
  };
}

/** Collects what the runner's clean-ups would be, so a step's test can run them. */
export function scope(failure?: unknown) {
  const cleanups: { what: string; fn: () => Promise<void> | void }[] = [];
  return {
    cleanups,
    defer: (what: string, fn: () => Promise<void> | void) => void cleanups.push({ what, fn }),
    ...(failure === undefined ? {} : { failure }),
    async runCleanups() {
      for (const c of cleanups.reverse()) await c.fn();
    },
  };
}
