import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../../src/domain/errors.ts';
import { BuildLog } from '../../../../../workers/pipeline/build-log.ts';
import { type LoginContext, login } from '../../../../../workers/pipeline/steps/login.ts';
import type { LoginOptions } from '../../../../../workers/podman.ts';
import { createPodman } from '../../../../../workers/podman.ts';
import { request, silent, tempDir } from '../support.ts';

const PASSWORD = 'l0gin-Secret-Pa55';

async function context(
  podmanLogin: (o: LoginOptions) => Promise<void>,
  registries: LoginContext['settings']['registries'],
): Promise<{ ctx: LoginContext; logPath: string }> {
  const dir = await tempDir();
  const logPath = join(dir, 'build.log');
  return {
    logPath,
    ctx: {
      podman: { ...createPodman('/nonexistent/podman', silent), login: podmanLogin },
      signal: new AbortController().signal,
      logger: silent,
      request: request({ builder: { name: 'b', image: 'quay.io/org/bib:1' } }),
      settings: { registries, worker: { timeouts: { loginSeconds: 30 } } },
      state: {
        paths: {
          root: dir,
          authFile: join(dir, 'auth.json'),
          configToml: '',
          outputDir: '',
          buildLog: logPath,
        },
        log: new BuildLog(logPath),
      },
    },
  };
}

describe('login step', () => {
  it('logs in once per registry that has credentials, into the attempt auth file, writing the command to the log', async () => {
    const calls: LoginOptions[] = [];
    const { ctx, logPath } = await context(
      async (o) => {
        calls.push(o);
        o.onOutput?.({
          argv: ['podman', 'login', '--username', o.username, o.registry],
          output: 'Login Succeeded!',
        });
      },
      { 'registry.example.com': { username: 'robot', password: PASSWORD, insecure: false } },
    );
    await login.run(ctx, { defer: () => undefined });
    expect(calls.map((c) => [c.registry, c.username, c.authFile])).toEqual([
      ['registry.example.com', 'robot', ctx.state.paths?.authFile],
    ]);
    expect(ctx.state.registries).toEqual(['registry.example.com']);
    await ctx.state.log?.close();
    const log = await readFile(logPath, 'utf8');
    expect(log).toContain('$ podman login --username robot registry.example.com');
    expect(log).toContain('Login Succeeded!');
    expect(log).toContain('no credentials configured for quay.io: pulling anonymously');
    expect(log).not.toContain(PASSWORD);
  });

  it('reads a password file at login time and keeps its content out of the log even if a tool echoes it', async () => {
    const dir = await tempDir();
    const passwordFile = join(dir, 'pw');
    await writeFile(passwordFile, `${PASSWORD}\n`);
    const { ctx, logPath } = await context(
      async (o) => {
        expect(o.password).toBe(PASSWORD);
        o.onOutput?.({ argv: ['podman', 'login'], output: `Error: bad password ${o.password}` });
        throw new AppError('AUTH_FAILED', 'authentication failed for registry.example.com');
      },
      { 'registry.example.com': { username: 'robot', passwordFile, insecure: false } },
    );
    const error = await login.run(ctx, { defer: () => undefined }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('AUTH_FAILED');
    await ctx.state.log?.close();
    const log = await readFile(logPath, 'utf8');
    expect(log).toContain('Error: bad password ***');
    expect(log).not.toContain(PASSWORD);
  });

  it('says which setting to fix when the password file cannot be read', async () => {
    const { ctx } = await context(async () => undefined, {
      'registry.example.com': { username: 'robot', passwordFile: '/nonexistent/pw', insecure: false },
    });
    const error = await login.run(ctx, { defer: () => undefined }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('CONFIG_INVALID');
    expect((error as AppError).message).toContain('registries.registry.example.com.passwordFile');
  });
});
