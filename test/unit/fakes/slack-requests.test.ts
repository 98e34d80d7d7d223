import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import {
  blockActionsPayload,
  signSlackRequest,
  viewSubmissionPayload,
} from '../../support/slack-requests.ts';

// Slack's documented example (from its request-verification guide), also used by Bolt's own tests.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = 1531420618;
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&' +
  'channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&' +
  'response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&' +
  'trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const EXPECTED = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

function verify(body: string, headers: ReturnType<typeof signSlackRequest>, nowSeconds: number): void {
  verifySlackRequest({
    signingSecret: SECRET,
    body,
    headers: {
      'x-slack-signature': headers['x-slack-signature'],
      'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
    },
    nowMilliseconds: nowSeconds * 1000,
  });
}

describe('signSlackRequest', () => {
  it("reproduces Slack's known-answer signature for the documented example request", () => {
    expect(signSlackRequest(SECRET, BODY, TIMESTAMP)).toEqual({
      'x-slack-signature': EXPECTED,
      'x-slack-request-timestamp': '1531420618',
    });
  });

  it('signs with the current time by default, in seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const ts = Number(signSlackRequest(SECRET, 'a=b')['x-slack-request-timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(before + 1);
  });

  it("is accepted by Bolt's own verifySlackRequest", () => {
    expect(() => verify(BODY, signSlackRequest(SECRET, BODY, TIMESTAMP), TIMESTAMP + 10)).not.toThrow();
  });

  it('is rejected by Bolt when the body was tampered with after signing', () => {
    const headers = signSlackRequest(SECRET, BODY, TIMESTAMP);
    expect(() => verify(BODY.replace('text=&', 'text=x&'), headers, TIMESTAMP)).toThrow(/signature mismatch/);
  });

  it('is rejected by Bolt when the timestamp is more than five minutes old', () => {
    const headers = signSlackRequest(SECRET, BODY, TIMESTAMP);
    expect(() => verify(BODY, headers, TIMESTAMP + 5 * 60 + 1)).toThrow(/stale/);
    expect(() => verify(BODY, headers, TIMESTAMP + 5 * 60)).not.toThrow();
  });
});

describe('interaction payload builders', () => {
  const view = {
    id: 'V00000001',
    type: 'modal',
    callback_id: 'build',
    title: { type: 'plain_text', text: 'Build' },
    submit: { type: 'plain_text', text: 'Go' },
    blocks: [
      { type: 'section', block_id: 'intro', text: { type: 'mrkdwn', text: 'hi' } },
      {
        type: 'input',
        block_id: 'image',
        label: { type: 'plain_text', text: 'Image' },
        element: { type: 'plain_text_input', action_id: 'image_ref' },
      },
    ],
  };

  it('puts the values into view.state.values of a view_submission', () => {
    const values = { image: { image_ref: { type: 'plain_text_input', value: 'quay.io/x/y:1' } } };
    const payload = viewSubmissionPayload({ userId: 'U1', view, values });
    expect(payload).toMatchObject({
      type: 'view_submission',
      user: { id: 'U1', team_id: 'T0TEST' },
      view: { id: 'V00000001', callback_id: 'build', state: { values } },
    });
  });

  it('refuses values for a block that is not an input block, or an unknown action_id', () => {
    const wrongBlock = { intro: { x: { type: 'plain_text_input', value: 'v' } } };
    expect(() => viewSubmissionPayload({ userId: 'U1', view, values: wrongBlock })).toThrow(
      /block_id 'intro'/,
    );
    const wrongAction = { image: { nope: { type: 'plain_text_input', value: 'v' } } };
    expect(() => viewSubmissionPayload({ userId: 'U1', view, values: wrongAction })).toThrow(
      /action_id 'nope'/,
    );
  });

  it('builds a block_actions payload Bolt can route by action_id and block_id', () => {
    const payload = blockActionsPayload({
      userId: 'U1',
      channelId: 'C0TEST',
      messageTs: '1700000000.000100',
      actionId: 'cancel_build',
      blockId: 'build_actions',
      value: 'job-1',
      triggerId: 't',
      responseUrl: 'http://127.0.0.1:1/respond/r1',
    });
    expect(payload).toMatchObject({
      type: 'block_actions',
      container: { channel_id: 'C0TEST', message_ts: '1700000000.000100' },
      channel: { id: 'C0TEST' },
      actions: [{ type: 'button', action_id: 'cancel_build', block_id: 'build_actions', value: 'job-1' }],
      response_url: 'http://127.0.0.1:1/respond/r1',
    });
  });
});
