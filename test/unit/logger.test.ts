import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';

const SECRET = 'SeCrEt-9f3b"quote\\slash';
const OTHER = 'tok-7781-zz';

function capture(secrets: string[] = [SECRET, OTHER], level = 'info') {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    name: 'test',
    secrets,
    destination: { write: (line) => lines.push(line) },
  });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe('createLogger', () => {
  it('writes JSON lines with the name, level and message', () => {
    const { logger, parsed } = capture();
    logger.info({ buildId: 'b1' }, 'build started');
    expect(parsed()[0]).toMatchObject({ level: 30, name: 'test', buildId: 'b1', msg: 'build started' });
    expect(typeof parsed()[0]?.time).toBe('string');
  });

  it('respects the level', () => {
    const { logger, lines } = capture([], 'warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
  });

  it('redacts a secret inside the message', () => {
    const { logger, lines, parsed } = capture();
    logger.info(`logging in with ${SECRET} now`);
    expect(lines.join('')).not.toContain('SeCrEt');
    expect(parsed()[0]?.msg).toBe('logging in with [redacted] now');
  });

  it('redacts a secret inside nested fields and arrays, and in child bindings', () => {
    const { logger, lines } = capture();
    logger
      .child({ auth: `Bearer ${OTHER}` })
      .info({ a: { b: { c: [`x${SECRET}y`] } }, cmd: ['login', OTHER] }, 'ok');
    const out = lines.join('');
    expect(out).not.toContain('SeCrEt');
    expect(out).not.toContain('7781');
    expect(JSON.parse(out)).toMatchObject({ auth: 'Bearer [redacted]', a: { b: { c: ['x[redacted]y'] } } });
  });

  it("redacts a secret inside an Error's message and stack", () => {
    const { logger, lines, parsed } = capture();
    logger.error({ err: new Error(`podman login failed for ${SECRET}`) }, 'login failed');
    logger.error(new Error(`second ${OTHER}`));
    expect(lines.join('')).not.toContain('SeCrEt');
    expect(lines.join('')).not.toContain('7781');
    const err = parsed()[0]?.err as { message: string; stack: string };
    expect(err.message).toBe('podman login failed for [redacted]');
    expect(err.stack).toContain('podman login failed for [redacted]');
    expect(parsed()[1]?.msg).toBe('second [redacted]');
  });

  it('censors known secret keys by name even when the value is not a listed secret', () => {
    const { logger, parsed } = capture([]);
    logger.info({
      password: 'p',
      s3: { secretAccessKey: 'k' },
      user: { passwordHash: '$6$x' },
      req: { headers: { authorization: 'Bearer t' } },
      token: 't',
    });
    expect(parsed()[0]).toMatchObject({
      password: '[redacted]',
      s3: { secretAccessKey: '[redacted]' },
      user: { passwordHash: '[redacted]' },
      req: { headers: { authorization: '[redacted]' } },
      token: '[redacted]',
    });
  });

  it('writes to the destination unchanged when there are no secrets', () => {
    const { logger, parsed } = capture([]);
    logger.info({ note: SECRET }, 'plain');
    expect(parsed()[0]?.note).toBe(SECRET);
  });

  it('rejects an unknown level', () => {
    expect(() => capture([], 'verbose')).toThrow(/verbose/);
  });
});
