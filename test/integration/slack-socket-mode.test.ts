import { connect } from 'node:net';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';

// The fake's Socket Mode against Bolt's own SocketModeReceiver (the one the bot uses when SLACK_APP_TOKEN is set):
// the protocol works, and the fake refuses what Slack refuses.

const BOT_TOKEN = 'xoxb-socket-fake';
const APP_TOKEN = 'xapp-1-socket-fake';

let fake: FakeSlack;
let app: App | undefined;
let receiver: SocketModeReceiver;

async function startApp(register: (a: App) => void): Promise<App> {
  receiver = new SocketModeReceiver({
    appToken: APP_TOKEN,
    logLevel: LogLevel.ERROR,
    installerOptions: { clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } } },
  });
  const started = new App({
    token: BOT_TOKEN,
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
  });
  register(started);
  await started.start();
  app = started;
  return started;
}

const commandPayload = (text: string) => ({
  token: 'unused',
  team_id: 'T0TEST',
  channel_id: 'C0TEST',
  user_id: 'U0ME',
  command: '/bootc-iso',
  text,
  api_app_id: 'A0FAKEAPP',
  response_url: 'http://127.0.0.1:1/unused',
  trigger_id: '1.2.3',
});

beforeEach(async () => {
  fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await fake.stop();
});

describe('the fake Slack in Socket Mode', () => {
  it('opens a connection with the app token only, says hello and takes acks with response payloads', async () => {
    await startApp((a) =>
      a.command('/bootc-iso', async ({ ack, command }) => ack({ text: `got ${command.text}` })),
    );
    expect(fake.socketMode.connected).toBe(1);
    const opens = fake.callsTo('apps.connections.open');
    expect(opens.map((c) => [c.token, c.error])).toEqual([[APP_TOKEN, undefined]]);
    const ack = await fake.socketMode.send('slash_commands', commandPayload('help'));
    expect(ack).toEqual({ text: 'got help' });
    expect(fake.socketMode.problems).toEqual([]);
  });

  it('refuses apps.connections.open with a bot token and the app token for other methods', async () => {
    const call = (method: string, token: string) =>
      fetch(`${fake.url}${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.json(),
      );
    expect(await call('apps.connections.open', BOT_TOKEN)).toEqual({
      ok: false,
      error: 'not_allowed_token_type',
    });
    expect(await call('auth.test', APP_TOKEN)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await call('apps.connections.open', 'xapp-wrong')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(fake.socketMode.opened).toBe(0);
  });

  it('records an ack for an unknown envelope and an ack after 3 s as problems', async () => {
    await startApp((a) =>
      a.command('/bootc-iso', async ({ ack }) => {
        await new Promise((r) => setTimeout(r, 3400));
        await ack();
      }),
    );
    // The client's own ack path (private in its types), aimed at an envelope the fake never sent.
    const client = receiver.client as unknown as { send(id: string, body: object): Promise<void> };
    await client.send('00000000-0000-0000-0000-000000000000', {});
    await expect(fake.socketMode.send('slash_commands', commandPayload('slow'))).rejects.toThrow(
      /within 3 s/,
    );
    await new Promise((r) => setTimeout(r, 800));
    expect(fake.socketMode.problems).toEqual([
      'ack for an unknown or already acked envelope 00000000-0000-0000-0000-000000000000',
      expect.stringMatching(/^ack for slash_commands envelope \S+ after 3\d{3} ms$/),
    ]);
  });

  it('after a refresh_requested disconnect, the client opens a new connection and envelopes flow again', async () => {
    let events = 0;
    await startApp((a) => {
      a.command('/bootc-iso', async ({ ack }) => ack());
      a.event('app_home_opened', async () => {
        events += 1;
      });
    });
    fake.socketMode.requestRefresh();
    await fake.socketMode.waitForConnections(2, 20_000);
    expect(fake.socketMode.opened).toBe(2);
    expect(fake.socketMode.live()).toBe(1);
    const ack = await fake.socketMode.send('events_api', {
      type: 'event_callback',
      team_id: 'T0TEST',
      api_app_id: 'A0FAKEAPP',
      event: { type: 'app_home_opened', user: 'U0ME', channel: 'D0HOME', tab: 'home', event_ts: '1.2' },
      event_id: 'Ev0FAKE',
      event_time: 1,
    });
    expect(ack).toEqual({});
    expect(events).toBe(1);
    expect(fake.socketMode.problems).toEqual([]);
  });
});

/** Opens a raw TCP connection to a Socket Mode URL, sends the upgrade request and then `frame`; returns all it got. */
async function rawExchange(url: string, frame?: Buffer): Promise<string> {
  const target = new URL(url);
  const socket = connect(Number(target.port), target.hostname);
  const received: Buffer[] = [];
  socket.on('data', (chunk) => {
    received.push(chunk);
    if (frame && Buffer.concat(received).includes('\r\n\r\n')) {
      socket.write(frame);
      frame = undefined;
    }
  });
  socket.write(
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
      'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, 3000).unref();
  });
  return Buffer.concat(received).toString('latin1');
}

describe('the fake Slack refuses what Slack refuses on the socket', () => {
  const open = async () =>
    (await fetch(`${fake.url}apps.connections.open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_TOKEN}` },
    }).then((r) => r.json())) as { url: string };

  it('accepts a connection URL once', async () => {
    const { url } = await open();
    const first = await rawExchange(url, Buffer.from([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2]));
    expect(first).toMatch(/^HTTP\/1\.1 101 /);
    expect(first).toContain('"type":"hello"');
    expect(first).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const again = await rawExchange(url);
    expect(again).toMatch(/^HTTP\/1\.1 401 /);
    expect(fake.socketMode.problems).toEqual(['connection with an unknown, used or expired ticket']);
  });

  it('closes the connection with 1002 on an unmasked client frame', async () => {
    const { url } = await open();
    const answer = await rawExchange(url, Buffer.concat([Buffer.from([0x81, 2]), Buffer.from('{}')]));
    // The close frame: opcode 8, length 2, status 1002 (0x03ea).
    expect(answer).toContain(`\x88\x02\x03\xea`);
    expect(fake.socketMode.problems).toEqual(['websocket: unmasked client frame']);
  });
});
