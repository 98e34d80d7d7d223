import { describe, expect, it } from 'vitest';
import { threadNote } from '../../../src/slack/messages/status-message.ts';
import { expectSafeMessage, HOSTILE, result, status, USER_ID } from './slack-fixtures.ts';

const error = {
  code: 'REGISTRY_UNAVAILABLE' as const,
  message: 'quay.io answered 503',
  logTail: ['pulling', 'error: 503'],
};

describe('threadNote', () => {
  it('says which host started the build', () => {
    const note = threadNote(
      'started',
      status({ state: 'running', progress: { step: 'pull', message: '', host: 'builder-2' } }),
    );
    expect(note.text).toBe('Started on build host `builder-2`.');
  });

  it('says a retry runs on another attempt, after which error', () => {
    const s = status({
      state: 'running',
      progress: { step: 'pull', message: '', host: 'builder-3', attempt: 2, error },
    });
    const note = threadNote('retrying', { ...s, maxAttempts: 3 });
    expect(note.text).toBe(
      'Retrying on build host `builder-3` (attempt 2 of 3). The previous attempt stopped with *Registry unavailable:* quay.io answered 503',
    );
  });

  it('gives the failure with a longer log tail and a link to the full log', () => {
    const note = threadNote(
      'failed-detail',
      status({ state: 'failed', error, logUrl: 'https://s3.example.com/log' }),
    );
    expectSafeMessage(note, { allowedUrls: ['https://s3.example.com/log'] });
    expect(JSON.stringify(note.blocks)).toContain('error: 503');
    expect(JSON.stringify(note.blocks)).toContain('<https://s3.example.com/log|Full build log>');
  });

  it('mentions the requester when the ISO is ready, with a download link', () => {
    const note = threadNote('completed', status({ state: 'completed', result: result() }));
    expectSafeMessage(note, { allowedUrls: [result().link.url] });
    expect(note.text).toBe(`<@${USER_ID}> your ISO is ready.`);
    expect(JSON.stringify(note.blocks)).toContain(`<${result().link.url}|Download install.iso>`);
  });

  it('puts a link too long for a block into the text, where Slack still makes it clickable', () => {
    const url = `https://s3.example.com/${'a'.repeat(5000)}`;
    const note = threadNote(
      'completed',
      status({ state: 'completed', result: result({ link: { url, expiresAt: '2026-02-07T12:00:00Z' } }) }),
    );
    expect(note.blocks).toBeUndefined();
    expect(note.text).toContain(url);
  });

  it('stays within limits and escapes everything for hostile input', () => {
    const hostile = {
      code: 'NOT_A_CODE' as never,
      message: HOSTILE.repeat(2000),
      logTail: Array.from({ length: 10_000 }, () => HOSTILE),
    };
    const s = status({
      state: 'failed',
      error: hostile,
      cancelledBy: HOSTILE,
      logUrl: 'javascript:alert(1)',
      progress: { step: 'build', message: HOSTILE, host: HOSTILE, attempt: 2 },
      result: result({
        link: { url: 'https://x.example/<!channel>', expiresAt: 'never' },
        iso: { ...result().iso, filename: HOSTILE },
      }),
    });
    for (const kind of ['started', 'retrying', 'failed-detail', 'completed', 'cancelled'] as const) {
      expectSafeMessage(threadNote(kind, s));
    }
  });
});
