import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../src/slack/action-ids.ts';
import { progressBar } from '../../../src/slack/messages/format.ts';
import { type BuildStatus, statusMessage } from '../../../src/slack/messages/status-message.ts';
import { BUILD_ID, expectSafeMessage, HOSTILE, request, result, status, USER_ID } from './slack-fixtures.ts';

function buttons(s: BuildStatus): types.Button[] {
  return statusMessage(s)
    .blocks.filter((b): b is types.ActionsBlock => b.type === 'actions')
    .flatMap((b) => b.elements.filter((el): el is types.Button => el.type === 'button'));
}

function allText(s: BuildStatus): string {
  return JSON.stringify(statusMessage(s));
}

const hostileError = {
  code: 'BUILDER_FAILED' as const,
  message: `${HOSTILE} ${'m'.repeat(100_000)}`,
  logTail: Array.from({ length: 10_000 }, (_, i) => `${i} ${HOSTILE}`),
};

describe('statusMessage', () => {
  it('shows a queued build with its queue position, requester mention and a confirmed Cancel button', () => {
    const s = status({ state: 'queued', ahead: 2 });
    const message = statusMessage(s);
    expectSafeMessage(message);
    expect(message.text).toContain(BUILD_ID);
    expect(allText(s)).toContain('2 builds ahead');
    expect(allText(s)).toContain(`<@${USER_ID}>`);
    const [cancel] = buttons(s);
    expect(cancel).toMatchObject({
      action_id: ACTIONS.cancel,
      value: BUILD_ID,
      style: 'danger',
      confirm: {
        title: { text: 'Cancel this build?' },
        confirm: { text: 'Cancel build' },
        deny: { text: 'Keep building' },
      },
    });
  });

  it('shows the step, stage message, a progress bar and the host while running', () => {
    const s = status({
      state: 'running',
      progress: {
        step: 'build',
        message: 'Building manifest-iso.json',
        percent: 47,
        host: 'builder-1',
        attempt: 2,
      },
    });
    const text = allText(s);
    expect(text).toContain('Step 4 of 6: build');
    expect(text).toContain('Building manifest-iso.json');
    expect(text).toContain('█████░░░░░ 50%');
    expect(text).toContain('builder-1');
    expect(text).toContain('attempt 2');
    expect(buttons(s).map((b) => b.action_id)).toEqual([ACTIONS.cancel]);
  });

  it('renders the same message for progress within the same 10%, so the notifier skips the update', () => {
    const at = (percent: number) =>
      statusMessage(status({ state: 'running', progress: { step: 'build', message: 'x', percent } }));
    expect(at(41)).toEqual(at(44));
    expect(at(44)).not.toEqual(at(46));
  });

  it('does not render updatedAt, which changes on every read', () => {
    const a = statusMessage(status({ state: 'running', updatedAt: new Date(1) }));
    const b = statusMessage(status({ state: 'running', updatedAt: new Date(2) }));
    expect(a).toEqual(b);
  });

  it('shows a completed build with Download, Fresh link and Build log buttons and the artifact details', () => {
    const logUrl = 'https://s3.example.com/log?sig=1';
    const s = status({ state: 'completed', result: result(), logUrl });
    expectSafeMessage(statusMessage(s), { allowedUrls: [] });
    expect(buttons(s)).toEqual([
      expect.objectContaining({ action_id: ACTIONS.download, url: result().link.url, style: 'primary' }),
      expect.objectContaining({ action_id: ACTIONS.freshLink, value: BUILD_ID }),
      expect.objectContaining({ action_id: ACTIONS.openLog, url: logUrl }),
    ]);
    const text = allText(s);
    expect(text).toContain('ab'.repeat(32));
    expect(text).toContain('2.1 GiB');
    expect(text).toContain(`sha256:${'c'.repeat(64)}`);
    expect(text).toContain('22 min 30 s');
    expect(text).toMatch(/<!date\^1770465600\^\{date_short_pretty\} \{time\}\|2026-02-07 12:00 UTC>/);
  });

  it('shows the checking files on one context line with links and the signing key, plain once links expire', () => {
    const file = (role: 'checksums' | 'checksums-signature' | 'provenance', filename: string) => ({
      role,
      type: role,
      key: `builds/${BUILD_ID}/${filename}`,
      filename,
      size: 10,
      sha256: 'ef'.repeat(32),
      url: `https://s3.example.com/${filename}?X-Amz-Signature=${'s'.repeat(1200)}`,
      ...(role === 'checksums' ? {} : { keyId: 'f0'.repeat(32) }),
    });
    const artifacts = [
      file('checksums', 'SHA256SUMS'),
      file('checksums-signature', 'SHA256SUMS.sig'),
      file('provenance', 'provenance.intoto.json'),
    ];
    const fresh = statusMessage(status({ state: 'completed', result: result({ artifacts }) }));
    expectSafeMessage(fresh, { allowedUrls: artifacts.map((a) => a.url) });
    const line = fresh.blocks.find((b): b is types.ContextBlock => b.type === 'context');
    const texts = (line?.elements ?? []).map((e) => ('text' in e ? e.text : ''));
    expect(texts).toEqual([
      `<${artifacts[0]?.url}|Checksums> ·`,
      `<${artifacts[1]?.url}|Signature> ·`,
      `<${artifacts[2]?.url}|Provenance>`,
      `signed by key \`${'f0'.repeat(32)}\``,
    ]);
    const expired = statusMessage(
      status({ state: 'completed', result: result({ artifacts }), linkExpired: true }),
    );
    expectSafeMessage(expired, { allowedUrls: [] });
    expect(JSON.stringify(expired)).toContain('"Checksums ·"');
    expect(JSON.stringify(expired)).not.toContain('SHA256SUMS?X-Amz');
  });

  it('says when no build ran because an identical build made the ISO, and how to get a fresh one', () => {
    const s = status({ state: 'completed', result: { ...result(), reusedFrom: 'bearlier01' } });
    expectSafeMessage(statusMessage(s), { allowedUrls: [] });
    expect(allText(s)).toContain('No build was needed');
    expect(allText(s)).toContain('bearlier01');
    expect(allText(s)).toContain('Rebuild anyway');
    expect(allText(status({ state: 'completed', result: result() }))).not.toContain('No build was needed');
  });

  it('shows why a queued build waits when its last progress says so (identical build, host handed it back)', () => {
    const s = status({
      state: 'queued',
      ahead: 0,
      progress: {
        step: 'preflight',
        message: 'an identical build (bother001) is running; this build will get its ISO',
      },
    });
    expect(allText(s)).toContain('an identical build (bother001) is running');
    expect(allText(s)).not.toContain('Next in line');
  });

  it('drops the Download button when the link expired or is too long for a button, and says what to do', () => {
    const expired = status({ state: 'completed', result: result(), linkExpired: true });
    expect(buttons(expired).map((b) => b.action_id)).toEqual([ACTIONS.freshLink]);
    expect(allText(expired)).toContain('press *Fresh link*');
    const long = result({
      link: { url: `https://s3.example.com/${'a'.repeat(3100)}`, expiresAt: '2026-02-07T12:00:00Z' },
    });
    const tooLong = status({
      state: 'completed',
      result: long,
      logUrl: `https://x.example/${'l'.repeat(3000)}`,
    });
    expectSafeMessage(statusMessage(tooLong));
    expect(buttons(tooLong).map((b) => b.action_id)).toEqual([ACTIONS.freshLink]);
  });

  it('shows a failure in plain words with the last 15 log lines, Full log and Retry', () => {
    const s = status({ state: 'failed', error: hostileError, logUrl: 'https://s3.example.com/log' });
    const message = statusMessage(s);
    expectSafeMessage(message);
    const text = allText(s);
    expect(text).toContain('Bootc-image-builder failed:');
    expect(text).toContain('9999 ');
    expect(text).not.toContain('9984 ');
    expect(buttons(s).map((b) => b.action_id)).toEqual([ACTIONS.openLog, ACTIONS.retry]);
  });

  it('says who cancelled: a mention for a Slack user, escaped text for a CLI user', () => {
    expect(allText(status({ state: 'cancelled', cancelledBy: 'U0CANCEL01' }))).toContain(
      'Cancelled by <@U0CANCEL01>',
    );
    const cli = statusMessage(status({ state: 'cancelled', cancelledBy: 'cli:<!channel>' }));
    expectSafeMessage(cli);
    expect(JSON.stringify(cli)).toContain('&lt;!channel&gt; (CLI)');
  });

  it('stays within Block Kit limits and escapes everything for hostile input in every state', () => {
    const hostileRequest = request({
      source: `quay.io/org/${'a'.repeat(900)}:tag`,
      preset: HOSTILE.slice(0, 120),
      requester: { kind: 'cli', user: '<!channel>' },
    });
    const progress = {
      step: 'build' as const,
      message: HOSTILE.repeat(500),
      percent: 1e9,
      host: HOSTILE,
      error: hostileError,
    };
    const hostileResult = result({
      sourceDigest: HOSTILE,
      builderImage: HOSTILE.repeat(100),
      workerHost: HOSTILE,
      iso: { ...result().iso, sha256: HOSTILE },
      artifacts: [
        {
          role: 'checksums-signature',
          type: 'checksums-signature',
          key: HOSTILE,
          filename: HOSTILE,
          size: 1,
          sha256: HOSTILE,
          url: `https://x/${HOSTILE}`,
          keyId: HOSTILE.repeat(100),
        },
      ],
    });
    for (const state of ['queued', 'running', 'retrying', 'completed', 'failed', 'cancelled'] as const) {
      const s = status({
        state,
        request: hostileRequest,
        progress,
        ahead: 1e12,
        error: hostileError,
        result: hostileResult,
        cancelledBy: HOSTILE,
        buildId: HOSTILE,
      });
      expectSafeMessage(statusMessage(s), { allowedIds: [], allowedUrls: [] });
    }
  });
});

describe('progressBar', () => {
  it('rounds to the nearest 10% and clamps out-of-range values', () => {
    expect(progressBar(0)).toBe('░░░░░░░░░░ 0%');
    expect(progressBar(55)).toBe('██████░░░░ 60%');
    expect(progressBar(-5)).toBe('░░░░░░░░░░ 0%');
    expect(progressBar(250)).toBe('██████████ 100%');
    expect(progressBar(Number.NaN)).toBe('░░░░░░░░░░ 0%');
  });
});
